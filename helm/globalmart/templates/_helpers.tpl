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

{{- define "globalmart.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "globalmart.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Configuration every sidecar names in dapr.io/config. */}}
{{- define "globalmart.daprConfigName" -}}
{{- include "globalmart.fullname" . -}}
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
