package app

import (
	"reflect"
	"testing"
)

// decodeUses takes a one-pass path for a single use; it must answer every
// body exactly as the general path does (the same uses, the same errors).
func TestDecodeUses_FastPathAgreesWithGeneral(t *testing.T) {
	const use = `"activity_id":1,"recording_ref":"R-1","call_started_at":"2026-11-27T10:00:00Z","direction":"inbound",` +
		`"employee_staff_ids":["E1"],"action":"listened","purpose":"quality","occurred_at":"2026-11-27T11:00:00Z"`
	for _, body := range []string{
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
}
