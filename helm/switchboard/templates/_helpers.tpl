{{/*
Chart name, truncated to the 63 characters Kubernetes allows in names and label values.
*/}}
{{- define "switchboard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: "<release>-<chart>", or the release name when it already contains the
chart name. Truncated to 63 characters.
*/}}
{{- define "switchboard.fullname" -}}
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

{{/*
Chart name and version for the helm.sh/chart label.
*/}}
{{- define "switchboard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "switchboard.labels" -}}
helm.sh/chart: {{ include "switchboard.chart" . }}
{{ include "switchboard.selectorLabels" . }}
app.kubernetes.io/version: {{ include "switchboard.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: switchboard
{{- end }}

{{/*
Selector labels (immutable on a Deployment: never add anything that changes between upgrades).
*/}}
{{- define "switchboard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "switchboard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the ServiceAccount the app pods use.
*/}}
{{- define "switchboard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "switchboard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Pinned image tag: image.tag, or the chart's appVersion when empty.
*/}}
{{- define "switchboard.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion | toString }}
{{- end }}

{{/*
Full image reference (repository:tag, plus @digest when set).
*/}}
{{- define "switchboard.image" -}}
{{- $ref := printf "%s:%s" .Values.image.repository (include "switchboard.imageTag" .) }}
{{- if .Values.image.digest }}
{{- $ref = printf "%s@%s" $ref .Values.image.digest }}
{{- end }}
{{- $ref }}
{{- end }}

{{/*
Name of the ConfigMap with the non-secret settings.
*/}}
{{- define "switchboard.configMapName" -}}
{{- printf "%s-config" (include "switchboard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Name of the existing Secret holding DATABASE_URL. Fails rendering when unset.
*/}}
{{- define "switchboard.databaseSecretName" -}}
{{- required "database.existingSecret is required: create a Secret holding the PostgreSQL URL (key database.existingSecretKey, default \"database-url\") and pass --set database.existingSecret=<name>" .Values.database.existingSecret }}
{{- end }}

{{/*
SWITCHBOARD_PUBLIC_URL: config.publicUrl, else the first ingress host, else the Service URL.
*/}}
{{- define "switchboard.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- $host := (first .Values.ingress.hosts).host }}
{{- $scheme := ternary "https" "http" (gt (len .Values.ingress.tls) 0) }}
{{- printf "%s://%s" $scheme $host }}
{{- else }}
{{- printf "http://%s.%s.svc" (include "switchboard.fullname" .) .Release.Namespace }}
{{- end }}
{{- end }}

{{/*
DATABASE_URL by reference; shared by the app Deployment and the migration Job.
*/}}
{{- define "switchboard.databaseEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.databaseSecretName" . }}
      key: {{ .Values.database.existingSecretKey }}
{{- if not .Values.database.statementCache }}
- name: SWITCHBOARD_DATABASE_STATEMENT_CACHE
  value: "false"
{{- end }}
{{- with .Values.database.listenUrlKey }}
- name: SWITCHBOARD_DATABASE_LISTEN_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.databaseSecretName" $ }}
      key: {{ . }}
{{- end }}
{{- end }}

{{/*
Selector labels of the app pods only (excludes the migration Job's pods).
*/}}
{{- define "switchboard.appSelectorLabels" -}}
{{ include "switchboard.selectorLabels" . }}
app.kubernetes.io/component: app
{{- end }}
