package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// progress shows a wait on stderr, a line for each change with the time
// so far: each phase the job enters, the data sources whose status
// changes, and the count of data sources done as it moves. On a terminal
// a status line below them is redrawn in place.
//
// What it keeps and writes is bounded whatever the server sends: the
// statuses of the last read's first maxTracked data sources (a note says
// once that the others are not followed), and per read at most
// maxShownSources lines of data sources and one line counting the rest.
type progress struct {
	w     io.Writer
	live  bool
	start time.Time

	mu      sync.Mutex
	read    bool // seen was called
	phase   indexingjobs.Phase
	done    string // "1/3": data sources completed of all, "" before any count
	sources map[string]indexingjobs.DataSourceStatus
	// untracked: it was said that data sources past maxTracked are not
	// followed.
	untracked bool

	stop    chan struct{}
	stopped sync.WaitGroup
}

const (
	// maxTracked bounds the data sources whose status is remembered from
	// one read to the next; a knowledge base has a handful.
	maxTracked = 1000
	// maxShownSources bounds the data-source lines written for one read.
	maxShownSources = 5
)

// tick is how often the live line is redrawn.
const tick = 200 * time.Millisecond

// newProgress shows progress on w; with ticks (a terminal), the live line
// too, redrawn at each tick.
func newProgress(w io.Writer, ticks <-chan time.Time) *progress {
	p := &progress{w: w, live: ticks != nil, start: time.Now(), stop: make(chan struct{})}
	if p.live {
		p.stopped.Go(func() {
			for {
				select {
				case <-p.stop:
					return
				case <-ticks:
					p.mu.Lock()
					p.redraw()
					p.mu.Unlock()
				}
			}
		})
	}
	return p
}

// seen is called with the job after a read: after every read, or only
// when the job changed, both work. A phase that is not terminal is shown
// before the data sources that changed with it; the terminal phase comes
// last.
func (p *progress) seen(job *indexingjobs.IndexingJob) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	done := ""
	if n, ok := doneOf(job.CompletedDatasources, job.TotalDatasources); !ok {
		done = "?/?" // p.state and the lines say why
	} else if job.TotalDatasources > 0 {
		done = n
	}
	phaseLine := func() {
		p.line(phaseText(job.Phase) + sourcesDone(done, ", "))
	}
	newPhase := job.Phase != p.phase || !p.read
	p.phase, p.read = job.Phase, true
	if newPhase && !job.Phase.Terminal() {
		phaseLine()
	}
	p.sourcesChanged(job.DataSourceJobs)
	if done != p.done && !newPhase {
		p.line(sourcesDone(done, ""))
	}
	p.done = done
	if newPhase && job.Phase.Terminal() {
		phaseLine()
	}
	p.redraw()
}

// sourcesChanged writes a line for each data source whose status changed
// since the last read, the first maxShownSources of them, then a count of
// the others; it remembers this read's statuses in place of the last's.
func (p *progress) sourcesChanged(sources []indexingjobs.IndexedDataSource) {
	now := make(map[string]indexingjobs.DataSourceStatus, min(len(sources), maxTracked))
	more := 0
	for i := range sources {
		ds := &sources[i]
		if len(now) >= maxTracked {
			break
		}
		now[ds.DataSourceUUID] = ds.Status
		if p.sources[ds.DataSourceUUID] == ds.Status { // "" until the API says
			continue
		}
		if more++; more > maxShownSources {
			continue
		}
		p.line(strings.Join(nonEmpty("  data source", safetext.Line(ds.DataSourceUUID)+":", sourceStatusText(ds.Status), dataSourceError(*ds)), " "))
	}
	if more > maxShownSources {
		p.line(fmt.Sprintf("  and %d more data sources changed", more-maxShownSources))
	}
	if len(sources) > maxTracked && !p.untracked {
		p.untracked = true
		p.line(fmt.Sprintf("  (the job has %d data sources: the first %d are followed)", len(sources), maxTracked))
	}
	p.sources = now
}

// state is the job as last seen, "RUNNING, 1/3 data sources done", or ""
// before any read.
func (p *progress) state() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.read {
		return ""
	}
	return phaseText(p.phase) + sourcesDone(p.done, ", ")
}

// sourcesDone says how many data sources are done ("1/3"), after sep; ""
// for none; "?/?" when the API's counts are inconsistent.
func sourcesDone(done, sep string) string {
	switch done {
	case "":
		return ""
	case "?/?":
		return sep + "data source counts inconsistent"
	}
	return sep + done + " data sources done"
}

// close stops the live line and removes it.
func (p *progress) close() {
	close(p.stop)
	p.stopped.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

// line, redraw and clear write; p.mu is held.
func (p *progress) line(s string) {
	fmt.Fprintf(p.w, "%7s  %s\n", p.elapsed(), s)
}

func (p *progress) elapsed() string {
	return fmt.Sprintf("%.1fs", time.Since(p.start).Seconds())
}

// redraw shows the live line, until the job has ended.
func (p *progress) redraw() {
	if !p.live || p.phase.Terminal() {
		return
	}
	fmt.Fprintf(p.w, "\r\033[Kwaiting for the job to end: %s%s, %s", phaseText(p.phase), sourcesDone(p.done, ", "), p.elapsed())
}

func (p *progress) clear() {
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
