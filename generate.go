// Package indexingjobs is a Go client for DigitalOcean's GenAI indexing-jobs
// API, generated from openapi.yaml.
package indexingjobs

//go:generate go tool -modfile=tools/go.mod oapi-codegen -config oapi-codegen.yaml openapi.yaml
