{{/*
Name prefix of every object: fullnameOverride or the release name, at most 40 characters so that
"<prefix>-<service>-worker" stays a 63-character DNS label.
*/}}
{{- define "orderline.fullname" -}}
{{- .Values.fullnameOverride | default .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "orderline.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "orderline.chartLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Labels of every object: the release's selector labels and the chart's version. */}}
{{- define "orderline.labels" -}}
{{ include "orderline.selectorLabels" . }}
{{ include "orderline.chartLabels" . }}
{{- end -}}

{{/* Selector of one process (dict "root" $ "process" $p): a service in one role. */}}
{{- define "orderline.processSelector" -}}
{{ include "orderline.selectorLabels" .root }}
app.kubernetes.io/component: {{ .process.service }}-{{ .process.role }}
orderline/service: {{ .process.service }}
orderline/role: {{ .process.role }}
{{- end -}}

{{/* Labels of a process's objects (dict "root" $ "process" $p). */}}
{{- define "orderline.processLabels" -}}
{{ include "orderline.processSelector" . }}
{{ include "orderline.chartLabels" .root }}
{{- end -}}

{{- define "orderline.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/*
Every process of the release, as YAML ({processes: [...]}, read back with fromYaml): the gateway,
then each service in each enabled role, its settings taken from its own entry or `defaults`.
*/}}
{{- define "orderline.processes" -}}
{{- $fullname := include "orderline.fullname" . -}}
processes:
  - service: gateway
    role: api
    name: {{ $fullname }}-gateway-api
    database: {}
    settings: {{ toJson .Values.gateway }}
{{- range $svc := .Values.services }}
{{- range $role := list "api" "worker" }}
{{- $own := index $svc $role | default (dict) }}
{{- if or (not (hasKey $own "enabled")) $own.enabled }}
{{- $defaults := index $.Values.defaults $role }}
  - service: {{ $svc.name }}
    role: {{ $role }}
    name: {{ $fullname }}-{{ $svc.name }}-{{ $role }}
    database: {{ toJson ($svc.database | default (dict)) }}
    settings:
      replicas: {{ $own.replicas | default $defaults.replicas }}
      resources: {{ toJson ($own.resources | default $defaults.resources) }}
      autoscaling: {{ toJson ($own.autoscaling | default $defaults.autoscaling) }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
The non-secret environment of every process, as a YAML map of strings: `config`, then what the
chart owns (NODE_ENV, HOST, PORT, and SERVICE_URL_<SERVICE> of each service with an api).
*/}}
{{- define "orderline.configData" -}}
{{- /* Settings of the Secret, refused here so a credential never lands in a ConfigMap. */}}
{{- $secret := list "DATABASE_URL" "BUS_URL" "REDIS_URL" "SMTP_URL" "SERVICE_TOKEN_SECRET" "AUTH_JWT_KEYS" "ORDERLINE_ADMIN_PASSWORD" "PAYMENT_TESTPAY_WEBHOOK_SECRETS" "SHIPPING_SIMCARRIER_WEBHOOK_SECRETS" "ANALYTICS_PII_HASH_KEY" -}}
{{- $data := dict -}}
{{- range $key, $value := .Values.config }}
{{- if or (has $key $secret) (hasPrefix "DATABASE_URL_" $key) }}
{{- fail (printf "config.%s is a secret: put it in the Secret %s, not in values" $key $.Values.secrets.name) }}
{{- end }}
{{- $_ := set $data $key (toString $value) }}
{{- end }}
{{- $_ := set $data "NODE_ENV" "production" }}
{{- $_ := set $data "HOST" "0.0.0.0" }}
{{- $_ := set $data "PORT" (toString .Values.port) }}
{{- $fullname := include "orderline.fullname" . }}
{{- range $p := (include "orderline.processes" . | fromYaml).processes }}
{{- if and (eq $p.role "api") (ne $p.service "gateway") }}
{{- $_ := set $data (printf "SERVICE_URL_%s" (upper $p.service)) (printf "http://%s:%s" $p.name (toString $.Values.port)) }}
{{- end }}
{{- end }}
{{- toYaml $data }}
{{- end -}}

{{/* Environment of one process beyond the ConfigMap (dict "root" $ "process" $p). */}}
{{- define "orderline.processEnv" -}}
- name: OTEL_SERVICE_NAME
  value: {{ printf "orderline-%s" .process.service | quote }}
{{- with .process.database }}
- name: {{ printf "DATABASE_URL_%s" (upper $.process.service) }}
  valueFrom:
    secretKeyRef:
      name: {{ required "services[].database.secretName is required with database" .secretName }}
      key: {{ .key | default "DATABASE_URL" }}
{{- end }}
{{- end -}}

{{/* Pod settings shared by every process and the migration Jobs (the root context). */}}
{{- define "orderline.podSpec" -}}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
securityContext: {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity: {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: tmp
    emptyDir: {}
{{- end -}}
