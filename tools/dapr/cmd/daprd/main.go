// Command daprd is the Dapr runtime built with the stable component set (-tags stablecomponents)
// plus the two components GlobalMart needs from outside that set: NATS JetStream pub/sub and the
// SMTP output binding.
package main

import (
	"github.com/dapr/components-contrib/bindings/smtp"
	"github.com/dapr/components-contrib/pubsub/jetstream"
	"github.com/dapr/dapr/cmd/daprd/app"
	bindingsLoader "github.com/dapr/dapr/pkg/components/bindings"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
)

func init() {
	pubsubLoader.DefaultRegistry.RegisterComponent(jetstream.NewJetStream, "jetstream")
	bindingsLoader.DefaultRegistry.RegisterOutputBinding(smtp.NewSMTP, "smtp")
}

func main() {
	app.Run()
}
