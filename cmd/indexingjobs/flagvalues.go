package main

import (
	"errors"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// The flag values below check what they are given as the flag is read, so
// that a wrong value is a usage error naming the flag and the form wanted,
// and nothing is sent.

// durationFlag is a flag of a time.Duration that is 0 or more (or, with
// positive, more than 0).
type durationFlag struct {
	d        time.Duration
	positive bool
}

func (v *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return errors.New("want a duration such as 30s, 2m or 1h30m")
	case v.positive && d <= 0:
		return errors.New("want a duration above 0, such as 30s or 2m")
	case d < 0:
		return errors.New("want a duration of 0 or more, such as 30s or 2m")
	}
	v.d = d
	return nil
}

func (v *durationFlag) String() string { return v.d.String() }
func (v *durationFlag) Type() string   { return "duration" }

// outputFormat is -o, --output: text for people, json for programs.
type outputFormat string

func (o *outputFormat) Set(s string) error {
	if s != "text" && s != "json" {
		return errors.New("want text or json")
	}
	*o = outputFormat(s)
	return nil
}

func (o *outputFormat) String() string { return string(*o) }
func (o *outputFormat) Type() string   { return "format" }

// uuidList is a repeatable flag of UUIDs.
type uuidList []string

func (l *uuidList) Set(s string) error {
	if err := indexingjobs.ValidateUUID(s); err != nil {
		return errors.New(plain(err))
	}
	*l = append(*l, s)
	return nil
}

func (l *uuidList) String() string { return strings.Join(*l, ",") }
func (l *uuidList) Type() string   { return "UUID" }
