// Package contractfiles embeds the files generated from @globalmart/contracts (src/generate.ts writes them).
package contractfiles

import _ "embed"

// App is contracts/app.json: this app's call rules and subscriptions, from packages/contracts/src/access.ts and the
// event catalogue.
//
//go:embed app.json
var App []byte

// QuerySchema is the JSON Schema of GET /recommendations' query, from the OpenAPI route.
//
//go:embed schemas/recommendations-query.json
var QuerySchema []byte
