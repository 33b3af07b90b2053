package indexingjobstest

import (
	"slices"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/wire"
)

// AddIndexingSchedule gives a knowledge base the schedule, as the create
// operation does, and returns the schedule's uuid: its UUID, or a new one
// when it has none. KnowledgeBaseUUID names the knowledge base, which
// becomes known as with AddKnowledgeBase; Time is "HH:MM" or "HH:MM:SS"
// (UTC); CreatedAt and UpdatedAt are the server's clock when zero;
// NextRunAt is reckoned at each read. It replaces any schedule the
// knowledge base had, and panics on a time or days that make no schedule.
func (s *Server) AddIndexingSchedule(schedule indexingjobs.IndexingSchedule) string {
	days := wire.TimeWeekdays(schedule.Days)
	at := schedule.Time
	if len(at) == len("15:04:05") && strings.HasSuffix(at, ":00") {
		at = at[:len("15:04")]
	}
	if err := indexingjobs.ValidateSchedule(days, at); err != nil {
		panic("indexingjobstest: AddIndexingSchedule: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addSchedule(schedule, at)
}

// addSchedule keeps sch, whose days and time at ("HH:MM") are checked, as
// its knowledge base's schedule. s.mu is held.
func (s *Server) addSchedule(sch indexingjobs.IndexingSchedule, at string) string {
	now := s.now().UTC().Truncate(time.Second)
	if sch.UUID == "" {
		sch.UUID = newUUID()
	}
	sch.Time, sch.IsActive, sch.Days = at+":00", true, slices.Clone(sch.Days)
	if sch.CreatedAt.IsZero() {
		sch.CreatedAt = now
	}
	if sch.UpdatedAt.IsZero() {
		sch.UpdatedAt = sch.CreatedAt
	}
	kb := strings.ToLower(sch.KnowledgeBaseUUID)
	if _, ok := s.knowledgeBases[kb]; !ok {
		s.keepKnowledgeBase(KnowledgeBase{UUID: sch.KnowledgeBaseUUID})
	}
	s.schedules[kb] = sch
	return sch.UUID
}

// createSchedule is the create operation: the knowledge base must be known
// and have no schedule yet.
func (s *Server) createSchedule(in gen.CreateScheduleInput) (indexingjobs.IndexingSchedule, error) {
	if err := indexingjobs.ValidateSchedule(wire.TimeWeekdays(in.Days), in.Time); err != nil {
		return indexingjobs.IndexingSchedule{}, errBadRequest("%s", strings.TrimPrefix(err.Error(), "indexingjobs: "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kb := strings.ToLower(in.KnowledgeBaseUUID)
	_, known := s.knowledgeBases[kb]
	_, scheduled := s.schedules[kb]
	switch {
	case !known:
		return indexingjobs.IndexingSchedule{}, errNotFound
	case scheduled:
		return indexingjobs.IndexingSchedule{}, errConflict
	}
	s.addSchedule(indexingjobs.IndexingSchedule{KnowledgeBaseUUID: in.KnowledgeBaseUUID, Days: in.Days}, in.Time)
	return s.scheduleOf(kb), nil
}

// deleteSchedule is the delete operation, by the schedule's own uuid: it
// answers the schedule as it was, deleted_at set.
func (s *Server) deleteSchedule(id string) (indexingjobs.IndexingSchedule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for kb, sch := range s.schedules {
		if strings.EqualFold(sch.UUID, id) {
			delete(s.schedules, kb)
			now := s.now().UTC().Truncate(time.Second)
			sch.IsActive, sch.UpdatedAt, sch.DeletedAt = false, now, now
			return sch, nil
		}
	}
	return indexingjobs.IndexingSchedule{}, errNotFound
}

// schedule returns the knowledge base's schedule, its next run reckoned
// from now.
func (s *Server) schedule(kb string) (indexingjobs.IndexingSchedule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.schedules[strings.ToLower(kb)]; !ok {
		return indexingjobs.IndexingSchedule{}, false
	}
	return s.scheduleOf(kb), true
}

// scheduleOf is a copy of the knowledge base's schedule, which it has, its
// next run reckoned from now. s.mu is held.
func (s *Server) scheduleOf(kb string) indexingjobs.IndexingSchedule {
	sch := s.schedules[strings.ToLower(kb)]
	h, m := int(sch.Time[0]-'0')*10+int(sch.Time[1]-'0'), int(sch.Time[3]-'0')*10+int(sch.Time[4]-'0')
	sch.NextRunAt = nextRun(s.now(), sch.Days, h, m)
	sch.Days = slices.Clone(sch.Days)
	return sch
}

// nextRun is the first time after now on one of days at h:m UTC.
func nextRun(now time.Time, days []wire.Weekday, h, m int) time.Time {
	now = now.UTC()
	for i := range 8 {
		t := time.Date(now.Year(), now.Month(), now.Day()+i, h, m, 0, 0, time.UTC)
		if t.After(now) && slices.Contains(days, wire.Weekday(t.Weekday())) {
			return t
		}
	}
	return time.Time{}
}
