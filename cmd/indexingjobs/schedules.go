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
	a := t.newAPICommand("schedule KB_UUID [--days mon,thu --at 02:00]",
		"Show a knowledge base's indexing schedule, or set one with --days and --at", knowledgeBaseKind)
	when := &daysFlag{}
	a.cmd.Flags().Var(when, "days", "the days of the week to index on, such as mon,thu (mon tue wed thu fri sat sun)")
	at := a.cmd.Flags().String("at", "", "the time of day to index at, HH:MM on a 24-hour clock, in UTC, such as 02:00")
	a.run = func(ctx context.Context, ids []string) error {
		kb, days, atSet := ids[0], a.cmd.Flags().Changed("days"), a.cmd.Flags().Changed("at")
		if days != atSet {
			return usagef("--days and --at go together: both set a schedule, neither shows it")
		}
		if !days {
			s, err := a.client.GetIndexingSchedule(ctx, kb)
			if indexingjobs.IsNotFound(err) {
				if err := a.knowledgeBaseExists(ctx, kb); err != nil {
					return err
				}
				return &hintedError{noSchedule{kb}, fmt.Sprintf("Set one with 'indexingjobs schedule %s --days mon,thu --at 02:00%s'.", kb, a.resume())}
			}
			if err != nil {
				return err
			}
			return a.printSchedule(s)
		}
		if err := indexingjobs.ValidateSchedule(when.days, *at); err != nil {
			return usagef("%s", strings.Replace(plain(err), "time ", "--at ", 1))
		}
		s, err := a.client.ScheduleIndexing(ctx, kb, when.days, *at)
		var apiErr *indexingjobs.APIError
		switch {
		case errors.Is(err, indexingjobs.ErrOutcomeUnknown):
			return &hintedError{err, fmt.Sprintf("The schedule may have been made: look with 'indexingjobs schedule %s%s' before setting it again.", kb, a.resume())}
		case errors.As(err, &apiErr) && apiErr.StatusCode == 409:
			return &hintedError{err, fmt.Sprintf("Knowledge base %s has a schedule already: see it with 'indexingjobs schedule %s', remove it with 'indexingjobs unschedule %s'.", kb, kb, kb)}
		case err != nil:
			return err
		}
		return a.printSchedule(s)
	}
	return a.cmd
}

func (t *tool) unscheduleCmd() *cobra.Command {
	a := t.newAPICommand("unschedule KB_UUID", "Delete a knowledge base's indexing schedule", knowledgeBaseKind)
	a.run = func(ctx context.Context, ids []string) error {
		kb := ids[0]
		s, err := a.client.GetIndexingSchedule(ctx, kb)
		if indexingjobs.IsNotFound(err) {
			if err := a.knowledgeBaseExists(ctx, kb); err != nil {
				return err
			}
			return noSchedule{kb}
		}
		if err != nil {
			return err
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
	for _, d := range s.Days {
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

// daysFlag is --days: days of the week by name, comma-separated, each
// once.
type daysFlag struct{ days []time.Weekday }

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func (f *daysFlag) Set(s string) error {
	f.days = nil
	for _, name := range strings.Split(s, ",") {
		key := strings.ToLower(strings.TrimSpace(name))
		d, ok := dayNames[key]
		if !ok && len(key) > 3 {
			d, ok = dayNames[key[:3]]
			ok = ok && strings.EqualFold(d.String(), key) // monday, not montag
		}
		switch {
		case !ok:
			return fmt.Errorf("%q is not a day of the week: want days such as mon,thu (mon tue wed thu fri sat sun)", safetext.Line(name))
		case slices.Contains(f.days, d):
			return fmt.Errorf("%s comes twice", d)
		}
		f.days = append(f.days, d)
	}
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
