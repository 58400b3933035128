{{/* Names and labels. */}}
{{- define "roundtable.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "roundtable.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "roundtable.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "roundtable.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component: include "roundtable.selector" (list . "edge") */}}
{{- define "roundtable.selector" -}}
{{- $ctx := index . 0 -}}
app.kubernetes.io/name: {{ include "roundtable.name" $ctx }}
app.kubernetes.io/instance: {{ $ctx.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "roundtable.secretName" -}}
{{- default (include "roundtable.fullname" .) .Values.existingSecret }}
{{- end }}

{{- define "roundtable.edgeImage" -}}
{{- printf "%s:%s" .Values.image.edge.repository (default .Chart.AppVersion .Values.image.edge.tag) }}
{{- end }}

{{- define "roundtable.dbImage" -}}
{{- printf "%s:%s" .Values.image.db.repository (default .Chart.AppVersion .Values.image.db.tag) }}
{{- end }}

{{/* PostgreSQL and Redis addresses: the in-chart StatefulSets' Services, or the external ones. */}}
{{- define "roundtable.pgHost" -}}
{{- if .Values.postgresql.enabled }}{{ include "roundtable.fullname" . }}-postgresql{{ else }}{{ .Values.postgresql.external.host }}{{ end }}
{{- end }}

{{- define "roundtable.pgPort" -}}
{{- if .Values.postgresql.enabled }}5432{{ else }}{{ .Values.postgresql.external.port }}{{ end }}
{{- end }}

{{- define "roundtable.redisUrl" -}}
{{- $host := ternary (printf "%s-redis" (include "roundtable.fullname" .)) .Values.redis.external.host .Values.redis.enabled }}
{{- $port := ternary 6379 (int .Values.redis.external.port) .Values.redis.enabled }}
{{- $auth := ternary (printf ":%s@" .Values.redis.password) "" (ne .Values.redis.password "") }}
{{- printf "redis://%s%s:%d/%d" $auth $host (int $port) (int .Values.redis.db) }}
{{- end }}

{{/* RT_HTTP_HOSTS: the names the edge answers to. */}}
{{- define "roundtable.httpHosts" -}}
{{- $svc := include "roundtable.fullname" . }}
{{- $hosts := list }}
{{- if .Values.ingress.enabled }}{{ $hosts = append $hosts .Values.ingress.host }}{{ end }}
{{- $hosts = concat $hosts .Values.edge.extraHosts }}
{{- $hosts = concat $hosts (list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) "localhost") }}
{{- join "," (uniq $hosts) }}
{{- end }}

{{/* The pod and container security context every container of the chart runs with. */}}
{{- define "roundtable.podSecurity" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "roundtable.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end }}
