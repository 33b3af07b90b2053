module github.com/gradient-go/indexingjobs/bench

go 1.26.0

require (
	github.com/digitalocean/godo v1.237.0
	github.com/gradient-go/indexingjobs v0.0.0
	go.yaml.in/yaml/v3 v3.0.5
)

require (
	github.com/apapsch/go-jsonmerge/v2 v2.0.0 // indirect
	github.com/google/go-querystring v1.1.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.7 // indirect
	github.com/oapi-codegen/runtime v1.9.0 // indirect
	golang.org/x/oauth2 v0.27.0 // indirect
	golang.org/x/time v0.6.0 // indirect
)

replace github.com/gradient-go/indexingjobs => ../
