// Package indexingjobs is a Go client for DigitalOcean's GenAI indexing
// API: find knowledge bases and their data sources, start indexing jobs,
// cancel them, follow them to their end, read what they did per data
// source and in their detailed report, and index on a schedule.
//
// The types, and each operation as a typed value (method, path template,
// parameters, whether it may be repeated, the Go types of its body and
// answer), come from openapi.yaml, generated into package gen by
// oapi-codegen. This package adds what makes them safe to use, in one
// request path that every request goes through, the download of a report
// included (call.go): UUID checks before anything is sent, paths that are
// their template's by construction, retries with backoff that know which
// operations may be repeated and a transport that may not repeat them on
// its own, rate-limit tracking, one error type, reads bounded by what
// arrives, redirects checked at every hop, server text escaped in every
// error, and a token (or a signed URL's signature) that never leaves for
// another host or over plain HTTP, and never reaches an error.
//
// Defaults, each changed with an Option:
//   - token: $DIGITALOCEAN_ACCESS_TOKEN
//   - base URL: https://api.digitalocean.com
//   - retries: 3 (4 attempts) on 429, 5xx other than 501, and connection
//     errors; waits of 0.5s doubling to at most 8s, with jitter, or the
//     server's Retry-After when it sends one, capped at the same 8s
//   - timeout: 60s per attempt (the context spans all attempts)
//   - response bodies: at most 4 MiB, and what decoding one may allocate,
//     weighed before it is decoded, at most 16 times that; a downloaded
//     report, 256 MiB
//
// Reading, cancelling and deleting a schedule are idempotent (cancelling a
// cancelled job changes nothing), so they are retried after any of those
// failures. Starting a job and scheduling indexing are not:
// StartIndexingJob and ScheduleIndexing are sent once, retried only when
// the server certainly did not act (429, or a connection refused before
// the request was written), and otherwise fail with an error that wraps
// ErrOutcomeUnknown.
package indexingjobs
