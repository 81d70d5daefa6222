// Command daprd is the Dapr runtime built with the stable component set (-tags stablecomponents)
// plus what GlobalMart needs from outside that set: NATS JetStream pub/sub, the SMTP output binding,
// the Redis distributed lock (lock.redis: one writer per order, shipment and analytics bucket across replicas),
// and SQLite name resolution (mDNS, the standalone default, resolves an app-id to every instance on
// the host, so two local platforms — npm start and a test run — would answer each other's calls).
package main

import (
	"github.com/dapr/components-contrib/bindings/smtp"
	redislock "github.com/dapr/components-contrib/lock/redis"
	nrsqlite "github.com/dapr/components-contrib/nameresolution/sqlite"
	"github.com/dapr/components-contrib/pubsub/jetstream"
	"github.com/dapr/dapr/cmd/daprd/app"
	bindingsLoader "github.com/dapr/dapr/pkg/components/bindings"
	lockLoader "github.com/dapr/dapr/pkg/components/lock"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
)

func init() {
	pubsubLoader.DefaultRegistry.RegisterComponent(jetstream.NewJetStream, "jetstream")
	bindingsLoader.DefaultRegistry.RegisterOutputBinding(smtp.NewSMTP, "smtp")
	lockLoader.DefaultRegistry.RegisterComponent(redislock.NewStandaloneRedisLock, "redis")
	nrLoader.DefaultRegistry.RegisterComponent(nrsqlite.NewResolver, "sqlite")
}

func main() {
	app.Run()
}
