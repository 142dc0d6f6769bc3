// The places a secret sits in source and configuration, whatever the vendor: assignments in many
// languages, HTTP auth headers, command-line flags, connection strings and credential files.
import { camel, type Rand } from './random';

export interface FormSample {
  format: string;
  group: 'assignment' | 'header' | 'cli' | 'connection-string' | 'credential-file';
  text: string;
  /** Exactly the secret's characters inside `text`. */
  secret: string;
  fileName?: string;
}

type Form = (r: Rand) => Omit<FormSample, 'format' | 'group'>;

const SECRET_NAMES = ['DB_PASSWORD', 'API_KEY', 'CLIENT_SECRET', 'AUTH_TOKEN', 'SECRET_KEY', 'ACCESS_TOKEN', 'SMTP_PASSWORD', 'JWT_SECRET', 'WEBHOOK_SECRET', 'SERVICE_API_TOKEN', 'ENCRYPTION_KEY', 'PRIVATE_TOKEN', 'ADMIN_PASS', 'MASTER_KEY', 'SIGNING_SECRET', 'APP_SECRET', 'REDIS_PASSWORD', 'PASSPHRASE'];

const at = (r: Rand): string => r.pick(SECRET_NAMES);
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const user = (r: Rand): string => r.pick(['admin', 'deploy', 'app_user', 'svc-ci', 'root', 'jenkins', 'backup', 'report_ro']);
const host = (r: Rand): string => r.pick(['db.internal', 'prod-db-1.c9akciq32.eu-west-1.rds.amazonaws.com', '10.0.3.17', 'mysql.svc.cluster.local', 'pg.acme-corp.net', 'localhost']);

export const ASSIGNMENTS: Record<string, Form> = {
  'env-file': (r) => { const s = r.secretValue(); return { text: `NODE_ENV=production\n${at(r)}=${s}\nPORT=8080\n`, secret: s, fileName: '.env.production' }; },
  'env-quoted': (r) => { const s = r.secretValue(); return { text: `${at(r)}="${s}"\nLOG_LEVEL=info\n`, secret: s }; },
  'shell-export': (r) => { const s = r.secretValue(); return { text: `#!/bin/sh\nexport ${at(r)}='${s}'\nnode server.js\n`, secret: s }; },
  'js-const': (r) => { const s = r.secretValue(); return { text: `const ${camel(at(r))} = "${s}";\nmodule.exports = { start };\n`, secret: s }; },
  'ts-object': (r) => { const s = r.secretValue(); return { text: `export const config = {\n  host: 'api.internal',\n  ${camel(at(r))}: '${s}',\n  retries: 3,\n};\n`, secret: s }; },
  'python-assign': (r) => { const s = r.secretValue(); return { text: `import requests\n\n${at(r).toLowerCase()} = "${s}"\nresp = requests.get(URL)\n`, secret: s }; },
  'python-kwarg': (r) => { const s = r.password(); return { text: `conn = psycopg2.connect(host="${host(r)}", user="${user(r)}", password="${s}", dbname="shop")\n`, secret: s }; },
  'yaml': (r) => { const s = r.plainValue(); return { text: `database:\n  host: ${host(r)}\n  ${at(r).toLowerCase()}: ${s}\n  pool: 10\n`, secret: s, fileName: 'config.yml' }; },
  'yaml-quoted': (r) => { const s = r.secretValue(); return { text: `smtp:\n  user: mailer\n  password: "${s}"\n`, secret: s }; },
  'json': (r) => { const s = r.secretValue(); return { text: JSON.stringify({ service: 'billing', [camel(at(r))]: s, timeoutMs: 5000 }, null, 2), secret: s, fileName: 'appsettings.json' }; },
  'toml': (r) => { const s = r.secretValue(); return { text: `[server]\nport = 8080\n\n[auth]\n${at(r).toLowerCase()} = "${s}"\n`, secret: s, fileName: 'config.toml' }; },
  'ini': (r) => { const s = r.password(); return { text: `[database]\nuser = ${user(r)}\npassword = ${s}\n`, secret: s, fileName: 'settings.ini' }; },
  'java-properties': (r) => { const s = r.password(); return { text: `spring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.username=app\nspring.datasource.password=${s}\n`, secret: s, fileName: 'application.properties' }; },
  'java-setproperty': (r) => { const s = r.secretValue(); return { text: `Properties props = new Properties();\nprops.setProperty("${r.pick(['db.password', 'api.key', 'mail.smtp.password', 'oauth.clientSecret'])}", "${s}");\n`, secret: s }; },
  'java-system-setproperty': (r) => { const s = r.secretValue(); return { text: `System.setProperty("${at(r)}", "${s}");\n`, secret: s }; },
  'java-field': (r) => { const s = r.secretValue(); return { text: `public class Config {\n    private static final String ${at(r)} = "${s}";\n}\n`, secret: s }; },
  'csharp-property': (r) => { const s = r.secretValue(); return { text: `options.ClientSecret = "${s}";\noptions.SaveTokens = true;\n`, secret: s }; },
  'go-var-typed': (r) => { const s = r.secretValue(); return { text: `package config\n\nvar ${camel(at(r))} string = "${s}"\n`, secret: s }; },
  'go-const': (r) => { const s = r.secretValue(); return { text: `const (\n\tdefaultTimeout = 30\n\t${camel(at(r))} = "${s}"\n)\n`, secret: s }; },
  'go-short-assign': (r) => { const s = r.secretValue(); return { text: `func main() {\n\t${camel(at(r))} := "${s}"\n\tclient := api.New(${camel('x')})\n}\n`, secret: s }; },
  'go-struct-field': (r) => { const s = r.password(); return { text: `cfg := mysql.Config{\n\tUser:   "${user(r)}",\n\tPasswd: "${s}",\n\tNet:    "tcp",\n}\n`, secret: s }; },
  'php-concat': (r) => { const s = r.secretValue(); return { text: `<?php\n$secret = '';\n$secret .= '${s}';\n`, secret: s }; },
  'php-array': (r) => { const s = r.password(); return { text: `<?php\nreturn [\n    'host' => 'localhost',\n    'password' => '${s}',\n];\n`, secret: s }; },
  'php-define': (r) => { const s = r.password(); return { text: `<?php\ndefine('DB_PASSWORD', '${s}');\ndefine('DB_HOST', 'localhost');\n`, secret: s, fileName: 'wp-config.php' }; },
  'ruby-assign': (r) => { const s = r.secretValue(); return { text: `Rails.application.configure do\n  config.${at(r).toLowerCase()} = '${s}'\nend\n`, secret: s }; },
  'ruby-hash': (r) => { const s = r.secretValue(); return { text: `client = Api::Client.new(api_key: "${s}", timeout: 10)\n`, secret: s }; },
  'make-conditional': (r) => { const s = r.secretValue(); return { text: `${at(r)} ?= ${s}\n\ndeploy:\n\t./deploy.sh\n`, secret: s, fileName: 'Makefile' }; },
  'make-posix-assign': (r) => { const s = r.secretValue(); return { text: `${at(r)} ::= ${s}\nBUILD_DIR := out\n`, secret: s, fileName: 'Makefile' }; },
  'make-simple-assign': (r) => { const s = r.secretValue(); return { text: `${at(r)} := ${s}\n`, secret: s, fileName: 'Makefile' }; },
  'dockerfile-env': (r) => { const s = r.secretValue(); return { text: `FROM node:20\nENV ${at(r)}=${s}\nRUN npm ci\n`, secret: s, fileName: 'Dockerfile' }; },
  'dockerfile-arg': (r) => { const s = r.secretValue(); return { text: `FROM python:3.12\nARG ${at(r)}=${s}\n`, secret: s, fileName: 'Dockerfile' }; },
  'powershell-env': (r) => { const s = r.secretValue(); return { text: `$env:${at(r)} = "${s}"\n.\\deploy.ps1\n`, secret: s }; },
  'terraform': (r) => { const s = r.password(); return { text: `resource "aws_db_instance" "main" {\n  engine   = "postgres"\n  username = "${user(r)}"\n  password = "${s}"\n}\n`, secret: s, fileName: 'main.tf' }; },
  'rust-const': (r) => { const s = r.secretValue(); return { text: `const ${at(r)}: &str = "${s}";\n`, secret: s }; },
  'kotlin-val': (r) => { const s = r.secretValue(); return { text: `object Keys {\n    const val ${camel(at(r))} = "${s}"\n}\n`, secret: s }; },
  'swift-let': (r) => { const s = r.secretValue(); return { text: `struct Secrets {\n    static let ${camel(at(r))} = "${s}"\n}\n`, secret: s }; },
  'xml-element': (r) => { const s = r.password(); return { text: `<servers>\n  <server>\n    <id>nexus</id>\n    <username>${user(r)}</username>\n    <password>${s}</password>\n  </server>\n</servers>\n`, secret: s, fileName: 'settings.xml' }; },
  'xml-add-key': (r) => { const s = r.secretValue(); return { text: `<appSettings>\n  <add key="${r.pick(['ApiKey', 'ClientSecret', 'StripeSecretKey', 'AuthToken'])}" value="${s}" />\n</appSettings>\n`, secret: s, fileName: 'web.config' }; },
  'xml-attribute': (r) => { const s = r.password(); return { text: `<dataSource user="${user(r)}" password="${s}" url="jdbc:mysql://db/app"/>\n`, secret: s }; },
  'k8s-secret-stringdata': (r) => { const s = r.plainValue(); return { text: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  ${at(r).toLowerCase()}: ${s}\n`, secret: s }; },
  'github-actions-env': (r) => { const s = r.plainValue(); return { text: `jobs:\n  build:\n    env:\n      ${at(r)}: ${s}\n    steps:\n      - run: make\n`, secret: s }; },
  'nuget-config': (r) => { const s = r.password(); return { text: `<packageSourceCredentials>\n  <feed>\n    <add key="Username" value="${user(r)}" />\n    <add key="ClearTextPassword" value="${s}" />\n  </feed>\n</packageSourceCredentials>\n`, secret: s, fileName: 'nuget.config' }; },
};

export const HEADERS: Record<string, Form> = {
  'authorization-basic': (r) => { const s = b64(`${user(r)}:${r.password()}`); return { text: `GET /api/v1/items HTTP/1.1\nHost: api.internal\nAuthorization: Basic ${s}\n`, secret: s }; },
  'authorization-bearer': (r) => { const s = r.pick([r.alnum(40), r.b64url(48), r.hex(64)]); return { text: `Authorization: Bearer ${s}\nAccept: application/json\n`, secret: s }; },
  'authorization-in-code': (r) => { const s = r.pick([r.alnum(32), r.b64url(40)]); return { text: `headers = {\n    "Authorization": "Bearer ${s}",\n    "Content-Type": "application/json",\n}\n`, secret: s }; },
  'authorization-token': (r) => { const s = r.hex(40); return { text: `fetch(url, { headers: { Authorization: 'token ${s}' } });\n`, secret: s }; },
  'x-api-key': (r) => { const s = r.pick([r.alnum(32), r.hex(40)]); return { text: `POST /v2/send HTTP/1.1\nX-API-Key: ${s}\n`, secret: s }; },
  'basic-in-code': (r) => { const s = b64(`${user(r)}:${r.password()}`); return { text: `req.setRequestHeader('Authorization', 'Basic ${s}');\n`, secret: s }; },
};

export const CLI: Record<string, Form> = {
  'curl-user': (r) => { const s = r.password().replace(/[!&*^?]/g, 'x'); return { text: `curl -u ${user(r)}:${s} https://ci.internal/api/json\n`, secret: s }; },
  'curl-user-quoted': (r) => { const s = r.password(); return { text: `curl --user '${user(r)}:${s}' -X POST https://nexus.internal/service/rest/v1/components\n`, secret: s }; },
  'curl-header-bearer': (r) => { const s = r.alnum(40); return { text: `curl -s -H "Authorization: Bearer ${s}" https://api.internal/v1/me\n`, secret: s }; },
  'curl-header-api-key': (r) => { const s = r.hex(32); return { text: `curl https://api.internal/v1/data \\\n  -H 'X-Api-Key: ${s}'\n`, secret: s }; },
  'mysql-p-quoted': (r) => { const s = r.password().replace(/'/g, 'q'); return { text: `mysql -h ${host(r)} -u ${user(r)} -p'${s}' shop < dump.sql\n`, secret: s }; },
  'mysql-p-attached': (r) => { const s = r.alnum(r.int(12, 20)); return { text: `mysqldump -u${user(r)} -p${s} --all-databases > backup.sql\n`, secret: s }; },
  'mysql-password-flag': (r) => { const s = r.password(); return { text: `mysql --user=${user(r)} --password="${s}" -e "SHOW DATABASES"\n`, secret: s }; },
  'pgpassword-env': (r) => { const s = r.password(); return { text: `PGPASSWORD='${s}' psql -h ${host(r)} -U ${user(r)} -d app -c 'select 1'\n`, secret: s }; },
  'sshpass': (r) => { const s = r.password().replace(/'/g, 'q'); return { text: `sshpass -p '${s}' ssh ${user(r)}@${host(r)} uptime\n`, secret: s }; },
  'redis-cli-a': (r) => { const s = r.alnum(24); return { text: `redis-cli -h cache.internal -p 6379 -a ${s} PING\n`, secret: s }; },
  'docker-login-p': (r) => { const s = r.alnum(32); return { text: `docker login -u ${user(r)} -p ${s} registry.internal:5000\n`, secret: s }; },
  'generic-password-flag': (r) => { const s = r.password(); return { text: `./bin/migrate --host ${host(r)} --password=${s} --yes\n`, secret: s }; },
  'generic-token-flag': (r) => { const s = r.alnum(36); return { text: `vault login -method=userpass username=${user(r)} password=${s}\nterraform apply -var "api_token=${r.alnum(8)}"\n`, secret: s }; },
  'htpasswd-b': (r) => { const s = r.password(); return { text: `htpasswd -b -c /etc/nginx/.htpasswd ${user(r)} '${s}'\n`, secret: s }; },
};

export const CONNECTION_STRINGS: Record<string, Form> = {
  'postgres-url': (r) => { const s = r.alnum(r.int(14, 24)); return { text: `DATABASE_URL=postgres://${user(r)}:${s}@${host(r)}:5432/app\n`, secret: s }; },
  'mysql-url': (r) => { const s = r.alnum(16); return { text: `url = "mysql://${user(r)}:${s}@${host(r)}:3306/shop"\n`, secret: s }; },
  'mongodb-srv': (r) => { const s = r.alnum(18); return { text: `const uri = "mongodb+srv://${user(r)}:${s}@cluster0.${r.lower(5)}.mongodb.net/prod?retryWrites=true";\n`, secret: s }; },
  'redis-password-only': (r) => { const s = r.alnum(r.int(16, 32)); return { text: `REDIS_URL=redis://:${s}@${host(r)}:6379/0\n`, secret: s }; },
  'rediss-url': (r) => { const s = r.alnum(32); return { text: `cache: rediss://default:${s}@redis-1234.c1.us-east-1.ec2.cloud.redislabs.com:16379\n`, secret: s }; },
  'amqp-url': (r) => { const s = r.alnum(20); return { text: `CELERY_BROKER_URL = "amqp://${user(r)}:${s}@rabbit.internal:5672/vhost"\n`, secret: s }; },
  'ado-net': (r) => { const s = r.password().replace(/;/g, 'x'); return { text: `"DefaultConnection": "Server=${host(r)};Database=App;User Id=${user(r)};Password=${s};TrustServerCertificate=True"\n`, secret: s }; },
  'odbc-pwd': (r) => { const s = r.password().replace(/;/g, 'x'); return { text: `conn_str = "DRIVER={ODBC Driver 18 for SQL Server};SERVER=${host(r)};DATABASE=dw;UID=${user(r)};PWD=${s}"\n`, secret: s }; },
  'jdbc-query-password': (r) => { const s = r.alnum(16); return { text: `jdbc.url=jdbc:postgresql://${host(r)}:5432/app?user=${user(r)}&password=${s}&ssl=true\n`, secret: s }; },
  'jdbc-sqlserver': (r) => { const s = r.alnum(18); return { text: `String url = "jdbc:sqlserver://${host(r)}:1433;databaseName=erp;user=${user(r)};password=${s};encrypt=true";\n`, secret: s }; },
  'ftp-url': (r) => { const s = r.alnum(14); return { text: `lftp ftp://${user(r)}:${s}@ftp.partner.example.org/outbound\n`, secret: s }; },
  'smtp-url': (r) => { const s = r.alnum(20); return { text: `EMAIL_URL=smtp://${user(r)}%40acme.io:${s}@smtp.mailgun.org:587\n`, secret: s }; },
  'git-remote-token': (r) => { const s = r.alnum(32); return { text: `[remote "origin"]\n\turl = https://${user(r)}:${s}@git.internal/team/app.git\n`, secret: s, fileName: '.git/config' }; },
  'pip-index-url': (r) => { const s = r.alnum(24); return { text: `[global]\nindex-url = https://${user(r)}:${s}@pypi.internal/simple\n`, secret: s, fileName: 'pip.conf' }; },
};

export const CREDENTIAL_FILES: Record<string, Form> = {
  'pgpass': (r) => { const s = r.password().replace(/[:\\]/g, 'z'); return { text: `${host(r)}:5432:app:${user(r)}:${s}\n*:*:*:postgres:${r.alnum(12)}\n`, secret: s, fileName: '.pgpass' }; },
  'netrc': (r) => { const s = r.alnum(32); return { text: `machine api.internal\n  login ${user(r)}\n  password ${s}\n`, secret: s, fileName: '.netrc' }; },
  'docker-config-auth': (r) => { const s = b64(`${user(r)}:${r.password()}`); return { text: JSON.stringify({ auths: { 'registry.internal:5000': { auth: s } } }, null, 2), secret: s, fileName: 'config.json' }; },
  'npmrc-auth': (r) => { const s = b64(`${user(r)}:${r.password()}`); return { text: `registry=https://npm.internal/\n_auth=${s}\nalways-auth=true\n`, secret: s, fileName: '.npmrc' }; },
  'npmrc-authtoken': (r) => { const s = r.uuid(); return { text: `//npm.internal/:_authToken=${s}\n`, secret: s, fileName: '.npmrc' }; },
  'aws-credentials-file': (r) => { const s = r.b64(40).replace(/^[+/]/, 'a'); return { text: `[default]\naws_access_key_id = ${r.pick(['AKIA'])}${r.str('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}\naws_secret_access_key = ${s}\n`, secret: s, fileName: 'credentials' }; },
  'kubernetes-secret-data': (r) => { const s = b64(r.password()); return { text: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${s}\n`, secret: s, fileName: 'secret.yaml' }; },
  'wp-config-salts': (r) => { const s = r.str('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*()-_[]{}<>~+=,.;:/?|', 64).replace(/'/g, '"'); return { text: `define( 'AUTH_KEY',         '${s}' );\n`, secret: s, fileName: 'wp-config.php' }; },
};
