package indexingjobs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs/wire"
)

// GetIndexingSchedule returns the knowledge base's indexing schedule. For
// a knowledge base without one, IsNotFound(err) is true.
func (c *Client) GetIndexingSchedule(ctx context.Context, knowledgeBaseUUID string) (*IndexingSchedule, error) {
	out, err := call(ctx, c, opGenaiGetScheduledIndexing, []string{knowledgeBaseUUID}, nil, nil,
		func(out *indexingInfoAnswer) error { return isSchedule(&out.IndexingInfo, knowledgeBaseUUID) })
	if err != nil {
		return nil, err
	}
	return &out.IndexingInfo, nil
}

// ScheduleIndexing makes the knowledge base's indexing schedule: a job
// starts on each of days at at, a time of day in UTC as "HH:MM" on a
// 24-hour clock ("02:00", "23:30"). At least one day is needed, none
// twice; both are checked (ValidateSchedule) before anything is sent. A
// knowledge base has at most one schedule: to change it, delete it first.
//
// Scheduling is not idempotent, and follows StartIndexingJob's rules: it is
// sent once, retried only when the server certainly did not act on it,
// and otherwise fails with an error that wraps ErrOutcomeUnknown: read the
// knowledge base's schedule (GetIndexingSchedule) before trying again.
func (c *Client) ScheduleIndexing(ctx context.Context, knowledgeBaseUUID string, days []time.Weekday, at string) (*IndexingSchedule, error) {
	if err := checkUUID("knowledge base", knowledgeBaseUUID); err != nil {
		return nil, err
	}
	if err := ValidateSchedule(days, at); err != nil {
		return nil, err
	}
	in := genaiCreateScheduledIndexingJSONRequestBody{KnowledgeBaseUUID: knowledgeBaseUUID, Days: wire.WeekdaysOf(days), Time: at}
	out, err := call(ctx, c, opGenaiCreateScheduledIndexing, nil, nil, &in,
		func(out *createdIndexingInfoAnswer) error { return isSchedule(&out.IndexingInfo, knowledgeBaseUUID) })
	if err != nil {
		return nil, err
	}
	return &out.IndexingInfo, nil
}

// DeleteIndexingSchedule deletes the schedule scheduleUUID (the schedule's
// own id, IndexingSchedule.UUID, not its knowledge base's) and returns it
// as it was, DeletedAt set. Deleting is idempotent, so it is retried like
// a read; but a 404 that answers a retry after the server may have acted
// (a 5xx, a connection lost once the request was sent) may mean the first
// attempt deleted it: that error wraps ErrOutcomeUnknown too, and says so.
func (c *Client) DeleteIndexingSchedule(ctx context.Context, scheduleUUID string) (*IndexingSchedule, error) {
	out, err := call(ctx, c, opGenaiDeleteScheduledIndexing, []string{scheduleUUID}, nil, nil,
		func(out *deletedIndexingInfoAnswer) error {
			if id := out.IndexingInfo.UUID; !strings.EqualFold(id, scheduleUUID) {
				return fmt.Errorf("%w: it holds schedule %s, not %s", errWrongAnswer, shownID(id), scheduleUUID)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &out.IndexingInfo, nil
}

// ValidateSchedule reports whether days and at can make an indexing
// schedule: at least one day, each a day of the week, none twice, and at
// a time of day "HH:MM" on a 24-hour clock. The error wraps
// ErrInvalidSchedule. ScheduleIndexing checks them itself; call it to
// check user input early.
func ValidateSchedule(days []time.Weekday, at string) error {
	if len(days) == 0 {
		return fmt.Errorf("indexingjobs: %w: no day of the week", ErrInvalidSchedule)
	}
	for i, d := range days {
		if d < time.Sunday || d > time.Saturday {
			return fmt.Errorf("indexingjobs: %w: %d is not a day of the week (time.Sunday to time.Saturday)", ErrInvalidSchedule, int(d))
		}
		if slices.Contains(days[:i], d) {
			return fmt.Errorf("indexingjobs: %w: %s comes twice", ErrInvalidSchedule, d)
		}
	}
	if !isClockTime(at) {
		return fmt.Errorf("indexingjobs: %w: time %q: want HH:MM on a 24-hour clock, such as 02:00 or 23:30", ErrInvalidSchedule, clean(at, 32))
	}
	return nil
}

// isClockTime reports whether s is HH:MM, 00:00 to 23:59.
func isClockTime(s string) bool {
	digit := func(c byte) bool { return '0' <= c && c <= '9' }
	if len(s) != 5 || s[2] != ':' || !digit(s[0]) || !digit(s[1]) || !digit(s[3]) || !digit(s[4]) {
		return false
	}
	return (s[0] < '2' || (s[0] == '2' && s[1] <= '3')) && s[3] <= '5'
}

// isSchedule checks that an answer holds a schedule, of the knowledge base
// asked about when the answer says.
func isSchedule(s *IndexingSchedule, kb string) error {
	if s.UUID == "" {
		return fmt.Errorf("%w: the body has no schedule", errWrongAnswer)
	}
	if s.KnowledgeBaseUUID != "" && !strings.EqualFold(s.KnowledgeBaseUUID, kb) {
		return fmt.Errorf("%w: the schedule is of knowledge base %s, not %s", errWrongAnswer, shownID(s.KnowledgeBaseUUID), kb)
	}
	return nil
}
