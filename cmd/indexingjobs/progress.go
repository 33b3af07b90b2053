package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// follow waits for the job to end (client.WaitForIndexingJob), showing
// its progress on stderr from job, the answer that started or cancelled
// it.
func follow(ctx context.Context, client *indexingjobs.Client, job *indexingjobs.IndexingJob, poll time.Duration, stderr io.Writer) (*indexingjobs.IndexingJob, error) {
	var ticks <-chan time.Time
	if isTerminal(stderr) {
		t := time.NewTicker(tick)
		defer t.Stop()
		ticks = t.C
	}
	p := newProgress(stderr, ticks)
	defer p.close()
	p.seen(job)
	return client.WaitForIndexingJob(ctx, job.UUID, indexingjobs.WithPollInterval(poll), indexingjobs.WithProgress(p.seen))
}

// progress shows a wait on stderr, a line for each change with the time
// so far: each phase the job enters, each data source whose status
// changes, and the count of data sources done as it moves. On a terminal
// a status line below them is redrawn in place.
type progress struct {
	w     io.Writer
	live  bool
	start time.Time

	mu      sync.Mutex
	phase   indexingjobs.Phase
	done    string // "1/3": data sources completed of all, "" before any count
	sources map[string]indexingjobs.DataSourceStatus

	stop    chan struct{}
	stopped sync.WaitGroup
}

// tick is how often the live line is redrawn.
const tick = 200 * time.Millisecond

// newProgress shows progress on w; with ticks (a terminal), the live line
// too, redrawn at each tick.
func newProgress(w io.Writer, ticks <-chan time.Time) *progress {
	p := &progress{w: w, live: ticks != nil, start: time.Now(), sources: map[string]indexingjobs.DataSourceStatus{}, stop: make(chan struct{})}
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

// seen is called with the job after every read. A phase that is not
// terminal is shown before the data sources that changed with it; the
// terminal phase comes last.
func (p *progress) seen(job *indexingjobs.IndexingJob) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	done := ""
	if job.TotalDatasources > 0 {
		done = fmt.Sprintf("%d/%d", job.CompletedDatasources, job.TotalDatasources)
	}
	phaseLine := func() {
		line := safetext.Line(job.Phase.String())
		if done != "" {
			line += ", " + done + " data sources done"
		}
		p.line(line)
	}
	newPhase := job.Phase != p.phase
	p.phase = job.Phase
	if newPhase && !job.Phase.Terminal() {
		phaseLine()
	}
	for _, ds := range job.DataSourceJobs {
		if old := p.sources[ds.DataSourceUUID]; old == ds.Status { // "" until the API says
			continue
		}
		p.sources[ds.DataSourceUUID] = ds.Status
		p.line(strings.Join(nonEmpty("  data source", safetext.Line(ds.DataSourceUUID)+":", safetext.Line(ds.Status.String()), dataSourceError(ds)), " "))
	}
	if done != p.done && !newPhase {
		p.line(done + " data sources done")
	}
	p.done = done
	if newPhase && job.Phase.Terminal() {
		phaseLine()
	}
	p.redraw()
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
	counts := ""
	if p.done != "" {
		counts = ", " + p.done + " data sources done"
	}
	fmt.Fprintf(p.w, "\r\033[Kwaiting for the job to end: %s%s, %s", safetext.Line(p.phase.String()), counts, p.elapsed())
}

func (p *progress) clear() {
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
