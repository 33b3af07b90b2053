package indexingjobs

//go:generate go tool -modfile=tools/go.mod oapi-codegen -config oapi-codegen.yaml openapi.yaml
//go:generate go tool -modfile=tools/go.mod oapi-codegen -config oapi-codegen.server.yaml openapi.yaml
//go:generate go run -C tools ./openapijson ../openapi.yaml ../openapi.json
