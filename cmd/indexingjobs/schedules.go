package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

func (t *tool) scheduleCmd() *cobra.Command {
	a := t.newAPICommand("schedule KB_UUID [--days mon,thu --at 02:00 [--replace]]",
		"Show a knowledge base's indexing schedule, or set one with --days and --at", knowledgeBaseKind)
	days, at := &daysFlag{}, &atFlag{}
	fs := a.cmd.Flags()
	fs.Var(days, "days", "the days of the week to index on, such as mon,thu (mon tue wed thu fri sat sun); give it again for more")
	fs.Var(at, "at", "the time of day to index at, in UTC on a 24-hour clock: H:MM, HH:MM or HH:MM:SS (seconds 00), such as 02:00")
	replace := fs.Bool("replace", false, "replace the schedule the knowledge base has, if any")
	a.run = func(ctx context.Context, ids []string) error {
		kb, daysSet, atSet := ids[0], fs.Changed("days"), fs.Changed("at")
		switch {
		case daysSet != atSet:
			return usagef("--days and --at go together: both set a schedule, neither shows it")
		case *replace && !daysSet:
			return usagef("--replace goes with --days and --at: the schedule to replace the old one with")
		}
		if !daysSet {
			s, err := a.schedule(ctx, kb)
			if err != nil {
				return err
			}
			if s == nil {
				return &hintedError{noSchedule{kb}, fmt.Sprintf("Set one with 'indexingjobs schedule %s --days mon,thu --at 02:00%s'.", kb, a.resume())}
			}
			return a.printSchedule(s)
		}
		if err := indexingjobs.ValidateSchedule(days.days, at.at); err != nil {
			return usagef("%s", plain(err))
		}
		var old *indexingjobs.IndexingSchedule
		if *replace {
			var err error
			if old, err = a.schedule(ctx, kb); err != nil {
				return err
			}
			switch {
			case old == nil:
				fmt.Fprintf(a.stderr, "Knowledge base %s has no indexing schedule: there is none to replace.\n", kb)
			case sameSchedule(old, days.days, at.at):
				fmt.Fprintf(a.stderr, "Knowledge base %s is indexed %s already: nothing changed.\n", kb, scheduleWhen(old))
				return a.printSchedule(old)
			default:
				if _, err := a.client.DeleteIndexingSchedule(ctx, old.UUID); err != nil {
					if errors.Is(err, indexingjobs.ErrOutcomeUnknown) {
						return &hintedError{err, fmt.Sprintf("The old schedule may be deleted, and no new one was made: look with 'indexingjobs schedule %s%s'.", kb, a.resume())}
					}
					return err
				}
			}
		}
		s, err := a.client.ScheduleIndexing(ctx, kb, days.days, at.at)
		var apiErr *indexingjobs.APIError
		switch {
		case err != nil && old != nil:
			return &replaceFailed{old: old, err: err, restore: restoreCommand(old, a.resume())}
		case errors.Is(err, indexingjobs.ErrOutcomeUnknown):
			return &hintedError{err, fmt.Sprintf("The schedule may have been made: look with 'indexingjobs schedule %s%s' before setting it again.", kb, a.resume())}
		case errors.As(err, &apiErr) && apiErr.StatusCode == 409:
			return &hintedError{err, fmt.Sprintf("Knowledge base %s has a schedule already: see it with 'indexingjobs schedule %s%s', replace it with '%s --replace'.",
				kb, kb, a.resume(), scheduleCommand(kb, days.days, at.at, a.resume()))}
		case err != nil:
			return err
		}
		if old != nil {
			fmt.Fprintf(a.stderr, "Replaced the indexing schedule of knowledge base %s: schedule %s (%s) with schedule %s (%s).\n",
				kb, safetext.Line(old.UUID), scheduleWhen(old), safetext.Line(s.UUID), scheduleWhen(s))
		}
		return a.printSchedule(s)
	}
	return a.cmd
}

// schedule is the knowledge base's schedule, or nil when it has none: a
// knowledge base that does not exist is an error that says so.
func (a *apiCommand) schedule(ctx context.Context, kb string) (*indexingjobs.IndexingSchedule, error) {
	s, err := a.client.GetIndexingSchedule(ctx, kb)
	if indexingjobs.IsNotFound(err) {
		return nil, a.knowledgeBaseExists(ctx, kb)
	}
	return s, err
}

// sameSchedule reports whether s is on days at at ("HH:MM").
func sameSchedule(s *indexingjobs.IndexingSchedule, days []time.Weekday, at string) bool {
	if len(s.Days) != len(days) || strings.TrimSuffix(s.Time, ":00") != at && s.Time != at {
		return false
	}
	for _, d := range s.Days {
		if !slices.Contains(days, d.Weekday()) {
			return false
		}
	}
	return true
}

// replaceFailed is a --replace whose new schedule failed after the old
// one was deleted: the message says so, and how to restore the old one.
type replaceFailed struct {
	old     *indexingjobs.IndexingSchedule
	err     error
	restore string
}

func (e *replaceFailed) Error() string {
	what := "the new one failed"
	if errors.Is(e.err, indexingjobs.ErrOutcomeUnknown) {
		what = "the new one may or may not have been made"
	}
	return fmt.Sprintf("the old indexing schedule (%s) is deleted, and %s: %s", scheduleWhen(e.old), what, plain(e.err))
}

func (e *replaceFailed) Unwrap() error { return e.err }

func (e *replaceFailed) hint() string {
	if errors.Is(e.err, indexingjobs.ErrOutcomeUnknown) {
		kb, _, _ := strings.Cut(strings.TrimPrefix(e.restore, "indexingjobs schedule "), " ")
		return "Look first: indexingjobs schedule " + kb + "\nIf there is none, restore the old one: " + e.restore
	}
	return "Restore the old one: " + e.restore
}

// restoreCommand is the command that makes schedule s again.
func restoreCommand(s *indexingjobs.IndexingSchedule, flags string) string {
	var days []time.Weekday
	for _, d := range s.Days {
		days = append(days, d.Weekday())
	}
	at := s.Time
	if len(at) == len("15:04:05") {
		at = at[:len("15:04")]
	}
	return scheduleCommand(safetext.Line(s.KnowledgeBaseUUID), days, at, flags)
}

// scheduleCommand is the command that schedules kb on days at at.
func scheduleCommand(kb string, days []time.Weekday, at string, flags string) string {
	var names []string
	for _, d := range sortedDays(days) {
		names = append(names, strings.ToLower(d.String()[:3]))
	}
	return fmt.Sprintf("indexingjobs schedule %s --days %s --at %s%s", kb, strings.Join(names, ","), shellWord(at), flags)
}

func (t *tool) unscheduleCmd() *cobra.Command {
	a := t.newAPICommand("unschedule KB_UUID", "Delete a knowledge base's indexing schedule", knowledgeBaseKind)
	a.run = func(ctx context.Context, ids []string) error {
		kb := ids[0]
		s, err := a.schedule(ctx, kb)
		if err != nil {
			return err
		}
		if s == nil {
			return noSchedule{kb}
		}
		gone, err := a.client.DeleteIndexingSchedule(ctx, s.UUID)
		if errors.Is(err, indexingjobs.ErrOutcomeUnknown) {
			return &hintedError{err, fmt.Sprintf("It may be deleted already: look with 'indexingjobs schedule %s%s'.", kb, a.resume())}
		}
		if err != nil {
			return err
		}
		if a.json() {
			return a.printAnswer("indexing_info", gone)
		}
		_, err = fmt.Fprintf(a.stdout, "Deleted the indexing schedule %s of knowledge base %s (%s).\n", safetext.Line(gone.UUID), kb, scheduleWhen(gone))
		return err
	}
	return a.cmd
}

// knowledgeBaseExists tells a knowledge base without a schedule from no
// knowledge base at all, which the API answers alike (404): it reads the
// knowledge base, whose 404 then names it as not found.
func (a *apiCommand) knowledgeBaseExists(ctx context.Context, kb string) error {
	_, err := a.client.GetKnowledgeBase(ctx, kb)
	return err
}

// noSchedule is the answer to a knowledge base without a schedule: not a
// missing knowledge base, which the API's 404 alone would suggest.
type noSchedule struct{ kb string }

func (e noSchedule) Error() string { return "knowledge base " + e.kb + " has no indexing schedule" }

// printSchedule writes the schedule as a sentence, or as the API sent it.
func (a *apiCommand) printSchedule(s *indexingjobs.IndexingSchedule) error {
	if a.json() {
		return a.printAnswer("indexing_info", s)
	}
	return printSchedule(a.stdout, s)
}

func printSchedule(w io.Writer, s *indexingjobs.IndexingSchedule) error {
	fmt.Fprintf(w, "Knowledge base %s is indexed %s.\n", safetext.Line(s.KnowledgeBaseUUID), scheduleWhen(s))
	if !s.NextRunAt.IsZero() {
		fmt.Fprintf(w, "Next run     %s\n", s.NextRunAt.UTC().Format("Mon 2006-01-02 15:04 MST"))
	}
	if !s.LastRanAt.IsZero() {
		fmt.Fprintf(w, "Last run     %s\n", s.LastRanAt.UTC().Format("Mon 2006-01-02 15:04 MST"))
	}
	if !s.IsActive && s.DeletedAt.IsZero() {
		fmt.Fprintln(w, "It is not active: it starts no job now.")
	}
	_, err := fmt.Fprintf(w, "Schedule     %s\n", safetext.Line(s.UUID))
	return err
}

// scheduleWhen is "on Monday and Thursday at 02:00 UTC".
func scheduleWhen(s *indexingjobs.IndexingSchedule) string {
	var names []string
	for _, d := range sortedDays(s.Days) {
		names = append(names, d.String())
	}
	at := s.Time
	if len(at) == len("15:04:05") && strings.HasSuffix(at, ":00") {
		at = at[:len("15:04")]
	}
	list := strings.Join(names, ", ")
	if n := len(names); n > 1 {
		list = strings.Join(names[:n-1], ", ") + " and " + names[n-1]
	}
	return fmt.Sprintf("on %s at %s UTC", list, safetext.Line(at))
}

// daysFlag is --days: days of the week by name, comma-separated; given
// again, the days are added; a day given twice is one day. They are kept
// Monday first.
type daysFlag struct{ days []time.Weekday }

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func (f *daysFlag) Set(s string) error {
	for _, name := range strings.Split(s, ",") {
		key := strings.ToLower(strings.TrimSpace(name))
		d, ok := dayNames[key]
		if !ok && len(key) > 3 {
			d, ok = dayNames[key[:3]]
			ok = ok && strings.EqualFold(d.String(), key) // monday, not montag
		}
		if !ok {
			return fmt.Errorf("%q is not a day of the week: want days such as mon,thu (mon tue wed thu fri sat sun)", safetext.Line(name))
		}
		if !slices.Contains(f.days, d) {
			f.days = append(f.days, d)
		}
	}
	f.days = sortedDays(f.days)
	return nil
}

func (f *daysFlag) String() string {
	var names []string
	for _, d := range f.days {
		names = append(names, strings.ToLower(d.String()[:3]))
	}
	return strings.Join(names, ",")
}

func (f *daysFlag) Type() string { return "days" }

// sortedDays is days, Monday first, as a schedule reads.
func sortedDays[D interface{ ~int }](days []D) []D {
	out := slices.Clone(days)
	slices.SortFunc(out, func(a, b D) int { return (int(a)+6)%7 - (int(b)+6)%7 })
	return out
}

// atFlag is --at: a time of day, H:MM, HH:MM or HH:MM:SS with seconds
// 00 (the API schedules to the minute), kept as HH:MM.
type atFlag struct{ at string }

func (f *atFlag) Set(s string) error {
	t, err := time.Parse("15:04:05", s)
	if err != nil {
		t, err = time.Parse("15:04", s)
	}
	switch {
	case err != nil:
		return errors.New("want a time of day on a 24-hour clock, H:MM, HH:MM or HH:MM:SS, such as 02:00 or 23:30")
	case t.Second() != 0:
		return errors.New("want seconds 00: a schedule runs on the minute")
	}
	f.at = t.Format("15:04")
	return nil
}

func (f *atFlag) String() string { return f.at }
func (f *atFlag) Type() string   { return "time" }
