// Package indexingjobs is a Go client for DigitalOcean's GenAI indexing-jobs
// API: cancel an indexing job of a knowledge base, read it, and wait for it to
// end.
//
// The types and request code come from openapi.yaml, generated into package
// gen by oapi-codegen. This package adds what makes them safe to use: UUID
// checks before anything is sent, retries with backoff, rate-limit tracking,
// one error type, bounded reads, and a token that never leaves for another
// host or over plain HTTP.
//
// Defaults, each changed with an Option:
//   - token: $DIGITALOCEAN_ACCESS_TOKEN
//   - base URL: https://api.digitalocean.com
//   - retries: 3 (4 attempts) on 429, 5xx other than 501, and connection
//     errors; waits of 0.5s doubling to at most 8s, with jitter, or the
//     server's Retry-After when it sends one, capped at the same 8s
//   - timeout: 60s per attempt (the context spans all attempts)
//   - response bodies: at most 4 MiB
//
// Cancelling is idempotent (cancelling a cancelled job changes nothing), so
// retrying a cancel is safe.
package indexingjobs
