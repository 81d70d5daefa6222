{{/* Names, labels and the small building blocks every template shares. */}}

{{- define "globalmart.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* release-chart, or the release name alone when it already contains the chart name. */}}
{{- define "globalmart.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "globalmart.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "globalmart.baseLabels" -}}
helm.sh/chart: {{ include "globalmart.chart" . }}
app.kubernetes.io/part-of: {{ include "globalmart.name" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "globalmart.labels" -}}
{{ include "globalmart.baseLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The apps that are deployed: apps.<id> unless enabled: false. Returns a JSON list of ids. */}}
{{- define "globalmart.enabledApps" -}}
{{- $ids := list -}}
{{- range $id, $app := .Values.apps -}}
{{- if ne (toString (dig "enabled" true $app)) "false" -}}
{{- $ids = append $ids $id -}}
{{- end -}}
{{- end -}}
{{- toJson $ids -}}
{{- end -}}

{{/* Per-app helpers take (dict "root" $ "id" <app-id>). */}}
{{- define "globalmart.appFullname" -}}
{{- printf "%s-%s" (include "globalmart.fullname" .root) .id | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "globalmart.appSelectorLabels" -}}
app.kubernetes.io/name: {{ .id }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "globalmart.appLabels" -}}
{{ include "globalmart.baseLabels" .root }}
{{ include "globalmart.appSelectorLabels" . }}
app.kubernetes.io/component: {{ .id }}
{{- end -}}

{{/* <registry>/globalmart/<app-id>:<tag>; stack: go names the app's Go twin, <app-id>-go (only recommendations has one). */}}
{{- define "globalmart.image" -}}
{{- $app := index .root.Values.apps .id -}}
{{- $tag := dig "image" "tag" "" $app | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- $stack := dig "stack" "node" $app -}}
{{- $name := .id -}}
{{- if eq $stack "go" -}}
{{- if ne .id "recommendations" -}}
{{- fail (printf "apps.%s.stack: go: only recommendations has a Go twin (services/recommendations-go)" .id) -}}
{{- end -}}
{{- $name = printf "%s-go" .id -}}
{{- else if ne $stack "node" -}}
{{- fail (printf "apps.%s.stack must be node or go, not %q" .id $stack) -}}
{{- end -}}
{{- printf "%s/globalmart/%s:%s" (trimSuffix "/" .root.Values.image.registry) $name $tag -}}
{{- end -}}

{{/* An app's autoscaling settings: apps.<id>.autoscaling merged over autoscaling, as JSON. Takes (dict "root" $ "id" <app-id>). */}}
{{- define "globalmart.autoscaling" -}}
{{- $app := index .root.Values.apps .id -}}
{{- /* Key by key: sprig's merge would let the global `enabled: true` win over an app's `enabled: false`. */ -}}
{{- $a := deepCopy .root.Values.autoscaling -}}
{{- range $key, $value := dig "autoscaling" dict $app -}}
{{- $_ := set $a $key $value -}}
{{- end -}}
{{- if and $a.enabled (eq .id "psp") -}}
{{- fail "apps.psp cannot be autoscaled: the simulated payment provider keeps its ledger in memory (docs/adr/0004)" -}}
{{- end -}}
{{- if and $a.enabled (gt (int $a.minReplicas) (int $a.maxReplicas)) -}}
{{- fail (printf "apps.%s autoscaling: minReplicas %v is above maxReplicas %v" .id $a.minReplicas $a.maxReplicas) -}}
{{- end -}}
{{- toJson $a -}}
{{- end -}}

{{/* The fewest pods an app runs: autoscaling's minReplicas when on, else replicas (default 1). Takes (dict "root" $ "id" <app-id>). */}}
{{- define "globalmart.minReplicas" -}}
{{- $app := index .root.Values.apps .id -}}
{{- $a := include "globalmart.autoscaling" . | fromJson -}}
{{- if $a.enabled -}}{{ int $a.minReplicas }}{{- else -}}{{ hasKey $app "replicas" | ternary (int $app.replicas) 1 }}{{- end -}}
{{- end -}}

{{/* The release's own OpenTelemetry Collector Service name. */}}
{{- define "globalmart.otelCollectorName" -}}
{{- printf "%s-otel-collector" (include "globalmart.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Where telemetry goes, as JSON: sidecar (host:port for the Dapr Configuration), protocol (the sidecars': http|grpc),
isSecure, app (host:port of an OTLP/HTTP receiver for the apps, whose exporter speaks only http/protobuf). Empty
sidecar: no export. otelCollector.enabled points both at the release's collector.
*/}}
{{- define "globalmart.otlp" -}}
{{- $o := .Values.tracing.otlp -}}
{{- $protocol := $o.protocol | default "http" -}}
{{- if not (has $protocol (list "http" "grpc")) -}}
{{- fail (printf "tracing.otlp.protocol must be http or grpc, not %q" $protocol) -}}
{{- end -}}
{{- if .Values.otelCollector.enabled -}}
{{- $host := printf "%s.%s.svc.cluster.local" (include "globalmart.otelCollectorName" .) .Release.Namespace -}}
{{- $sidecar := printf "%s:%s" $host (eq $protocol "grpc" | ternary "4317" "4318") -}}
{{- toJson (dict "sidecar" $sidecar "protocol" $protocol "isSecure" false "app" (printf "%s:4318" $host)) -}}
{{- else if $o.endpoint -}}
{{- $app := $o.httpEndpoint | default (eq $protocol "http" | ternary $o.endpoint "") -}}
{{- if not $app -}}
{{- fail "tracing.otlp.protocol is grpc: set tracing.otlp.httpEndpoint to the collector's OTLP/HTTP host:port for the apps (they export OTLP/HTTP only)" -}}
{{- end -}}
{{- toJson (dict "sidecar" $o.endpoint "protocol" $protocol "isSecure" $o.isSecure "app" $app) -}}
{{- else -}}
{{- toJson (dict "sidecar" "" "protocol" $protocol "isSecure" false "app" "") -}}
{{- end -}}
{{- end -}}

{{/* Each app's ServiceAccount, Dapr Configuration and NetworkPolicy share the app's name. Take (dict "root" $ "id" <app-id>). */}}
{{- define "globalmart.serviceAccountName" -}}
{{- include "globalmart.appFullname" . -}}
{{- end -}}

{{/* The Configuration an app's sidecar names in dapr.io/config: its own, with its accessControl and secret scopes. */}}
{{- define "globalmart.daprConfigName" -}}
{{- include "globalmart.appFullname" . -}}
{{- end -}}

{{/* A per-app Secret name from a dapr.*TokenSecret pattern. Takes (dict "root" $ "id" <app-id> "pattern" <pattern>). */}}
{{- define "globalmart.tokenSecret" -}}
{{- .pattern | replace "{release}" .root.Release.Name | replace "{app}" .id | trunc 253 -}}
{{- end -}}

{{/* Does this app get an app token (all but appToken: false)? Returns "true" or "". Takes (dict "root" $ "id" <app-id>). */}}
{{- define "globalmart.hasAppToken" -}}
{{- if ne (toString (dig "appToken" true (index .root.Values.apps .id))) "false" }}true{{ end -}}
{{- end -}}

{{/* The enabled apps that may invoke this one (accessControl.policies.<id>), as a JSON list. Takes (dict "root" $ "id" <app-id>). */}}
{{- define "globalmart.callersOf" -}}
{{- $enabled := include "globalmart.enabledApps" .root | fromJsonArray -}}
{{- $out := list -}}
{{- range $caller, $_ := dig .id dict .root.Values.accessControl.policies -}}
{{- if has $caller $enabled }}{{ $out = append $out $caller }}{{ end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* The enabled apps this one may invoke, as a JSON list. Takes (dict "root" $ "id" <app-id>). */}}
{{- define "globalmart.calleesOf" -}}
{{- $enabled := include "globalmart.enabledApps" .root | fromJsonArray -}}
{{- $out := list -}}
{{- range $target, $callers := .root.Values.accessControl.policies -}}
{{- if and (has $target $enabled) (hasKey $callers $.id) }}{{ $out = append $out $target }}{{ end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* The enabled apps that publish or subscribe to any topic (the `pubsub` component's scopes), as a JSON list. */}}
{{- define "globalmart.pubsubApps" -}}
{{- $p := .Values.pubsub -}}
{{- $out := list -}}
{{- range $id := include "globalmart.enabledApps" . | fromJsonArray -}}
{{- if or (dig $id list ($p.publishingScopes | default dict)) (dig $id list ($p.subscriptionScopes | default dict)) }}{{ $out = append $out $id }}{{ end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* The enabled apps that read any secret (the `secretstore` component's scopes), as a JSON list. */}}
{{- define "globalmart.secretApps" -}}
{{- $out := list -}}
{{- range $id := include "globalmart.enabledApps" . | fromJsonArray -}}
{{- if dig $id list ($.Values.secretstore.allowedSecrets | default dict) }}{{ $out = append $out $id }}{{ end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* A NetworkPolicyPeer selecting one app's pods of this release. Takes (dict "root" $ "id" <app-id>). */}}
{{- define "globalmart.appPeer" -}}
- podSelector:
    matchLabels:
      {{- include "globalmart.appSelectorLabels" . | nindent 6 }}
{{- end -}}

{{/*
One Dapr component metadata item: a secretKeyRef when secret.name and secret.key are both set, else a plain
value. Takes (dict "name" <metadata name> "value" <plain value> "secret" (dict "name" <Secret> "key" <key>)).
*/}}
{{- define "globalmart.metadataItem" -}}
- name: {{ .name }}
{{- $secret := .secret | default dict }}
{{- if and $secret.name $secret.key }}
  secretKeyRef:
    name: {{ $secret.name }}
    key: {{ $secret.key }}
{{- else }}
  value: {{ .value | toString | quote }}
{{- end }}
{{- end -}}

{{/* A component's scopes list. Takes the list. */}}
{{- define "globalmart.scopes" -}}
{{- if . }}
scopes:
{{- range . }}
  - {{ . }}
{{- end }}
{{- end }}
{{- end -}}
