package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// A connection that has sent no request (a client's connection opened
// ahead, a browser's preconnect) does not make the shutdown fail: fasthttp
// waits for it until its read timeout, far beyond any shutdown timeout,
// but nothing is being answered on it.
func TestShutdown_ConnectionWithoutRequestDoesNotHoldIt(t *testing.T) {
	ts := newTestServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- ts.App().Listener(ln) }()
	// One request answered on its own connection, so the server is up.
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()

	idle, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a connection that sent nothing: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("listener: %v", err)
	}
}
