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

{{- define "globalmart.image" -}}
{{- $app := index .root.Values.apps .id -}}
{{- $tag := dig "image" "tag" "" $app | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s/globalmart/%s:%s" (trimSuffix "/" .root.Values.image.registry) .id $tag -}}
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
