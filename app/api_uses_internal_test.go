package app

import (
	"reflect"
	"strings"
	"testing"

	"vaaka/monitoring"
)

// decodeUses takes a one-pass path for a single use and for a batch; it
// must answer every body exactly as the general path does (the same uses,
// the same errors).
func TestDecodeUses_FastPathAgreesWithGeneral(t *testing.T) {
	const use = `"activity_id":1,"recording_ref":"R-1","call_started_at":"2026-11-27T10:00:00Z","direction":"inbound",` +
		`"employee_staff_ids":["E1"],"action":"listened","purpose":"quality","occurred_at":"2026-11-27T11:00:00Z"`
	const badTime = `"activity_id":1,"recording_ref":"R-2","call_started_at":"2026-11-27T10:00:00Z","direction":"inbound",` +
		`"employee_staff_ids":["E1"],"action":"listened","occurred_at":"yesterday"`
	tooMany := `{"uses":[` + strings.Repeat(`{`+use+`},`, monitoring.MaxBatch) + `{` + use + `}]}`
	for _, body := range []string{
		`{"uses":[{` + use + `},{"external_id":"x-2",` + use + `}]}`,
		` { "uses" : [ {` + use + `} ] } `,
		`{"uses":[{` + use + `}],"uses":[{` + badTime + `}]}`,
		`{"uses":[{` + use + `},null]}`,
		`{"uses":[{` + use + `},{` + badTime + `},{` + badTime + `}]}`,
		`{"uses":[{` + use + `,"unknown":1}]}`,
		`{"uses":[{"activity_id":"one"},{` + badTime + `}]}`,
		`{"uses":[1]}`, `{"uses":{}}`, `{"uses":[]}`, `{"uses":""}`,
		`{"uses":[{` + use + `}]`, `{"uses":[{` + use + `}]}}`, `{"uses":[{` + use + `}],}`,
		`{"uses":[{` + use + `}] "x":1}`,
		tooMany,
		`{` + use + `}`,
		`{"external_id":"x-1",` + use + `}`,
		`  {` + use + `}  `,
		`{` + use + `,"unknown":1}`,
		`{` + use + `,"uses":[]}`,
		`{"uses":[{` + use + `}]}`,
		`{"uses":[{` + use + `}],"activity_id":1}`,
		`{"USES":[{` + use + `}]}`,
		`{"uses":null}`,
		`{"Activity_ID":1,"recording_ref":"R"}`,
		`{"activity_id":"one"}`,
		`{"activity_id":1,"occurred_at":"yesterday"}`,
		`{` + use + `}{}`,
		`{` + use,
		`null`, `[]`, `""`, ``, `{}`,
	} {
		gotU, gotB, gotErr := decodeUses([]byte(body))
		wantU, wantB, wantErr := decodeUsesGeneral([]byte(body))
		if !reflect.DeepEqual(gotU, wantU) || gotB != wantB || !reflect.DeepEqual(gotErr, wantErr) {
			t.Errorf("%s:\n fast    %v %v %v\n general %v %v %v", body, gotU, gotB, gotErr, wantU, wantB, wantErr)
		}
	}
	// A well-formed batch does take the one-pass path.
	for _, body := range []string{`{"uses":[{` + use + `}]}`, ` { "uses" : [ {` + use + `} ] } `} {
		items, ok := batchItems([]byte(body))
		if !ok {
			t.Fatalf("%s: not seen as a batch", body)
		}
		if uses, ok, err := decodeBatchOnePass(items); !ok || err != nil || len(uses) != 1 {
			t.Errorf("%s: one-pass path %v %v %v", body, uses, ok, err)
		}
	}
}
