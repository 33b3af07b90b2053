package indexingjobstest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs/gen"
	"github.com/gradient-go/indexingjobs/wire"
)

// AddIndexingSchedule gives the knowledge base kb, which becomes known as
// with AddKnowledgeBase, a schedule that starts a job on each of days at
// at ("HH:MM", UTC), and returns the schedule's uuid. It replaces any
// schedule kb had. It panics on a time that is not HH:MM.
func (s *Server) AddIndexingSchedule(kb string, days []time.Weekday, at string) string {
	var h, m int
	if _, err := fmt.Sscanf(at, "%02d:%02d", &h, &m); err != nil || len(at) != 5 || h > 23 || m > 59 {
		panic(fmt.Sprintf("indexingjobstest: AddIndexingSchedule: time %q is not HH:MM", at))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC().Truncate(time.Second)
	sch := gen.APIScheduledIndexingInfo{UUID: newUUID(), KnowledgeBaseUUID: kb, Time: at + ":00", IsActive: true, CreatedAt: now, UpdatedAt: now}
	for _, d := range days {
		sch.Days = append(sch.Days, wire.Weekday(d))
	}
	if _, ok := s.knowledgeBases[strings.ToLower(kb)]; !ok {
		s.knowledgeBases[strings.ToLower(kb)] = KnowledgeBase{UUID: kb}
	}
	s.schedules[strings.ToLower(kb)] = sch
	return sch.UUID
}

// schedule returns the knowledge base's schedule, its next run reckoned
// from now.
func (s *Server) schedule(kb string) (gen.APIScheduledIndexingInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sch, ok := s.schedules[strings.ToLower(kb)]
	if ok {
		var h, m int
		_, _ = fmt.Sscanf(sch.Time, "%02d:%02d", &h, &m)
		sch.NextRunAt = nextRun(s.now(), sch.Days, h, m)
		sch.Days = slices.Clone(sch.Days)
	}
	return sch, ok
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
