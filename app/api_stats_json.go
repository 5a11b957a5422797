package app

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"vaaka/monitoring"
)

// appendStatisticsJSON appends the answer of GET /statistics to buf: byte
// for byte what jsonEncode writes for apiStatisticsOut(st), without
// building the DTO and without reflection (issue "Performance": at 10M a
// year holds about 2 500 cells, and encoding/json took half of the
// request's time and most of its allocations). apiStatisticsJSON stays the
// documented shape (OpenAPI); TestStatisticsJSON_MatchesEncodingJSON keeps
// the two identical.
func appendStatisticsJSON(buf []byte, st *monitoring.Statistics) []byte {
	buf = append(buf, `{"from":`...)
	buf = appendJSONString(buf, st.From)
	buf = append(buf, `,"to":`...)
	buf = appendJSONString(buf, st.To)
	if st.ActivityID != 0 {
		buf = append(buf, `,"activity_id":`...)
		buf = strconv.AppendInt(buf, st.ActivityID, 10)
	}
	buf = append(buf, `,"min_employees":`...)
	buf = strconv.AppendInt(buf, monitoring.MinEmployees, 10)
	buf = append(buf, `,"cells":[`...)
	for i, c := range st.Cells {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"activity_id":`...)
		buf = strconv.AppendInt(buf, c.ActivityID, 10)
		buf = append(buf, `,"purpose":`...)
		buf = appendJSONString(buf, c.Purpose)
		buf = append(buf, `,"unit":`...)
		buf = appendJSONString(buf, c.Unit)
		buf = append(buf, `,"month":`...)
		buf = appendJSONString(buf, c.Month)
		buf = appendStatValue(buf, "uses", c.Uses, true)
		buf = appendStatFlags(buf, c.Flags)
		buf = append(buf, '}')
	}
	buf = append(buf, `],"months":[`...)
	for i, m := range st.Months {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"activity_id":`...)
		buf = strconv.AppendInt(buf, m.ActivityID, 10)
		buf = append(buf, `,"month":`...)
		buf = appendJSONString(buf, m.Month)
		buf = appendStatValue(buf, "uses", m.Uses, false)
		buf = appendStatFlags(buf, m.Flags)
		buf = append(buf, '}')
	}
	buf = append(buf, `],"overdue_deletions":[`...)
	for i, o := range st.Overdue {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"activity_id":`...)
		buf = strconv.AppendInt(buf, o.ActivityID, 10)
		buf = appendStatValue(buf, "recordings", o.Recordings, false)
		buf = append(buf, '}')
	}
	return append(buf, "]}"...)
}

// appendStatValue appends ,"suppressed":… and, unless suppressed, the count
// under key and (employees) the employees, as statNum leaves them out.
func appendStatValue(buf []byte, key string, v monitoring.StatValue, employees bool) []byte {
	buf = append(buf, `,"suppressed":`...)
	buf = strconv.AppendBool(buf, v.Suppressed)
	if v.Suppressed {
		return buf
	}
	buf = append(buf, ',', '"')
	buf = append(buf, key...)
	buf = append(buf, '"', ':')
	buf = strconv.AppendInt(buf, v.Count, 10)
	if employees {
		buf = append(buf, `,"employees":`...)
		buf = strconv.AppendInt(buf, v.Employees, 10)
	}
	return buf
}

// appendStatFlags appends ,"flags":[…] as apiStatFlags encodes.
func appendStatFlags(buf []byte, fs []monitoring.StatFlag) []byte {
	buf = append(buf, `,"flags":[`...)
	for i, f := range fs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"flag":`...)
		buf = appendJSONString(buf, string(f.Flag))
		buf = appendStatValue(buf, "uses", f.StatValue, false)
		buf = append(buf, '}')
	}
	return append(buf, ']')
}

// appendJSONString appends s as jsonEncode writes a string: printable ASCII
// other than '"' and '\' as it is; anything else (escapes, UTF-8, invalid
// bytes) through encoding/json itself.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			var b bytes.Buffer
			if err := jsonEncode(&b, s); err != nil { // a string always encodes
				panic(err)
			}
			return append(buf, b.Bytes()...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
