package monitoring

import (
	"time"
)

// Sector of the employer; it and the headcount decide the co-operation
// procedure (R-COOP-1).
type Sector string

// Sectors.
const (
	SectorPrivate       Sector = "private"
	SectorMunicipal     Sector = "municipal"
	SectorState         Sector = "state"
	SectorChurch        Sector = "church"
	SectorOutsideTheAct Sector = "outside_the_act"
)

// Sectors lists the sectors.
var Sectors = []Sector{SectorPrivate, SectorMunicipal, SectorState, SectorChurch, SectorOutsideTheAct}

// Valid reports whether s is known.
func (s Sector) Valid() bool {
	for _, x := range Sectors {
		if s == x {
			return true
		}
	}
	return false
}

// Organisation is the employer: the controller identity that the register,
// notices and PDFs use (R-ROPA-1, R-NOT-2).
type Organisation struct {
	Name             string
	BusinessID       string // Y-tunnus, 1234567-8
	Address          string
	DPOContact       string
	PrivacyNoticeURL string
	Sector           Sector
	Headcount        int // regular headcount (R-COOP-1)
	DefaultLanguage  Language
	TimeZone         string // IANA name, default Europe/Helsinki
	UpdatedAt        time.Time
}

// DefaultOrganisation is what a new installation starts with.
func DefaultOrganisation() Organisation {
	return Organisation{Sector: SectorPrivate, DefaultLanguage: Finnish, TimeZone: "Europe/Helsinki"}
}

// Location returns the organisation's time zone, Helsinki by default.
func (o *Organisation) Location() *time.Location {
	if o.TimeZone == "" || o.TimeZone == "Europe/Helsinki" {
		return Helsinki
	}
	if loc, err := time.LoadLocation(o.TimeZone); err == nil {
		return loc
	}
	return Helsinki
}

// Validate checks the settings.
func (o *Organisation) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "name", o.Name, MaxShort, true)
	if !ValidBusinessID(o.BusinessID) {
		fe.Add("business_id", MsgYTunnus)
	}
	checkText(fe, "address", o.Address, MaxText, false)
	checkText(fe, "dpo_contact", o.DPOContact, MaxText, false)
	if o.PrivacyNoticeURL != "" && !ValidURL(o.PrivacyNoticeURL) {
		fe.Add("privacy_notice_url", MsgURL)
	}
	if !o.Sector.Valid() {
		fe.Add("sector", MsgUnknown)
	}
	if o.Headcount < 0 || o.Headcount > 10_000_000 {
		fe.Add("headcount", MsgPositive)
	}
	if !o.DefaultLanguage.Valid() {
		fe.Add("default_language", MsgUnknown)
	}
	if _, err := time.LoadLocation(o.TimeZone); o.TimeZone == "" || err != nil {
		fe.Add("time_zone", MsgTimeZone)
	}
	return fe.Err()
}

// ValidBusinessID checks a Finnish business ID (Y-tunnus) "NNNNNNN-C": the
// check digit C is computed with weights 7,9,10,5,8,4,2; remainder 0 gives
// 0, remainder 1 is never issued, otherwise 11 minus the remainder.
func ValidBusinessID(s string) bool {
	if len(s) != 9 || s[7] != '-' {
		return false
	}
	weights := [7]int{7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 7; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * weights[i]
	}
	c := s[8]
	if c < '0' || c > '9' {
		return false
	}
	r := sum % 11
	switch r {
	case 0:
		return c == '0'
	case 1:
		return false
	default:
		return int(c-'0') == 11-r
	}
}
