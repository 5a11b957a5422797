package app

// openAPIDocument returns the OpenAPI 3 description of the API.
func openAPIDocument() map[string]any {
	return map[string]any{"openapi": "3.1.0", "info": map[string]any{"title": "Vaaka API", "version": "1"}, "paths": map[string]any{}}
}
