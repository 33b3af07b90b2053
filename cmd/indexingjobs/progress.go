package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// progress shows a wait on stderr: a line for each phase the job enters
// and, on a terminal, a status line redrawn in place with the time so far.
type progress struct {
	w     io.Writer
	live  bool
	start time.Time

	mu    sync.Mutex
	phase indexingjobs.Phase

	stop chan struct{}
	done sync.WaitGroup
}

// tick is how often the live line is redrawn.
const tick = 200 * time.Millisecond

func newProgress(w io.Writer, live bool) *progress {
	p := &progress{w: w, live: live, start: time.Now(), stop: make(chan struct{})}
	if live {
		p.done.Go(func() {
			t := time.NewTicker(tick)
			defer t.Stop()
			for {
				select {
				case <-p.stop:
					return
				case <-t.C:
					p.mu.Lock()
					p.redraw()
					p.mu.Unlock()
				}
			}
		})
	}
	return p
}

// seen is called with the job after every read.
func (p *progress) seen(job *indexingjobs.IndexingJob) {
	p.mu.Lock()
	defer p.mu.Unlock()
	phase := job.Phase
	if phase == p.phase {
		return
	}
	p.phase = phase
	p.clear()
	fmt.Fprintf(p.w, "%7s  %s\n", p.elapsed(), phase)
	if !phase.Terminal() {
		p.redraw()
	}
}

// close stops the live line and removes it.
func (p *progress) close() {
	close(p.stop)
	p.done.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

func (p *progress) elapsed() string {
	return fmt.Sprintf("%.1fs", time.Since(p.start).Seconds())
}

// redraw and clear touch the live line; p.mu is held.
func (p *progress) redraw() {
	if p.live {
		fmt.Fprintf(p.w, "\r\033[Kwaiting for the job to end: %s, %s", p.phase, p.elapsed())
	}
}

func (p *progress) clear() {
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
