package indexingjobs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffBounds(t *testing.T) {
	min, max := 500*time.Millisecond, 8*time.Second
	for n, nominal := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 5: 8 * time.Second, 9: 8 * time.Second, 60: 8 * time.Second} {
		for range 200 {
			d := backoff(n, min, max)
			assert.GreaterOrEqual(t, d, nominal/2, "retry %d", n)
			assert.LessOrEqual(t, d, nominal, "retry %d", n)
		}
	}
}

func TestBackoffJitters(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[backoff(3, 500*time.Millisecond, 8*time.Second)] = true
	}
	assert.Greater(t, len(seen), 10, "waits must spread out")
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"30", 30 * time.Second, true},
		{"0", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"999999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, ok := retryAfter(h, now)
		assert.Equal(t, tt.ok, ok, tt.value)
		assert.Equal(t, tt.want, got, tt.value)
	}
}

func TestSleepDoesNotStartAWaitPastTheDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	done := make(chan bool)
	go func() { done <- sleep(ctx, 2*time.Hour) }()
	select {
	case ok := <-done:
		assert.False(t, ok)
	case <-time.After(5 * time.Second):
		t.Fatal("sleep started a wait that ends after the deadline")
	}
}

func TestRetryableStatus(t *testing.T) {
	for code, want := range map[int]bool{429: true, 500: true, 502: true, 503: true, 504: true, 501: false, 400: false, 401: false, 404: false, 409: false} {
		assert.Equal(t, want, retryableStatus(code), code)
	}
}

func TestRefusedRequestsAreNotRetried(t *testing.T) {
	ctx := context.Background()
	assert.False(t, retryableError(ctx, errTokenNotAllowed))
	assert.False(t, retryableError(ctx, fmt.Errorf("wrapped: %w", errWrongPath)))
	assert.True(t, retryableError(ctx, errors.New("connection reset by peer")))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.False(t, retryableError(cancelled, errors.New("connection reset by peer")))
}
