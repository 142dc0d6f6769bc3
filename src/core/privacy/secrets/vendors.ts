// Detectors for credentials that name themselves: a vendor prefix or a fixed shape. Each rule's
// keywords (lower case) must occur in the text before its pattern runs, which keeps a scan of
// ordinary source cheap. Capture group 1 is the secret; every value also passes the placeholder filter.
import { entropy, isDocumented, isPlaceholder, looksRandom } from './shape';
import { fromBase64 } from '../../base64';

export interface Rule {
  id: string;
  type: string;
  pattern: RegExp;
  /** Lower-case strings of which one must be in the text for the pattern to run. */
  keywords?: readonly string[];
  /** Least entropy of the value (bits per character), after `body`. */
  minEntropy?: number;
  /** The random part of the value, for the entropy and placeholder checks (default: all of it). */
  body?: (v: string) => string;
  /** Extra check on the value. */
  check?: (v: string) => boolean;
  /** The value must not continue a longer word on its left (checked in code: a lookbehind would slow every search). */
  leftBoundary?: boolean;
}

// Boundaries: a token does not continue a longer word on either side.
const L = String.raw`(?<![\w-])`;
const R = String.raw`(?![\w-])`;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

function rule(id: string, type: string, source: string, keywords?: readonly string[], extra: Partial<Rule> = {}, flags = ''): Rule {
  const leftBoundary = source.startsWith(L);
  return { id, type, pattern: new RegExp(leftBoundary ? source.slice(L.length) : source, `gd${flags}`), keywords, leftBoundary, ...extra };
}

/** A base64 text that decodes to digits only: a Discord token's first part is the bot's user id. */
function decodesToDigits(b64: string): boolean {
  return /^\d{15,21}$/.test(fromBase64(b64));
}

function afterPrefix(n: number): (v: string) => string {
  return (v) => v.slice(n);
}

// Built on the first scan, not when the extension loads.
let rules: { list: readonly Rule[]; keywords: RegExp } | undefined;

function vendorRules(): NonNullable<typeof rules> {
  if (rules) return rules;
  const list = buildRules();
  // All keywords in one pattern: one pass over the text tells which rules can match at all.
  const keywords = new RegExp([...new Set(list.flatMap((r) => r.keywords ?? []))]
    .sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  rules = { list, keywords };
  return rules;
}

const buildRules = (): Rule[] => [
  rule('aws-access-key', 'AWS access key id', `${L}((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})${R}`, ['akia', 'asia', 'abia', 'acca', 'a3t'], { body: afterPrefix(4), minEntropy: 2.5 }),
  rule('github-token', 'GitHub token', `${L}(gh[pousr]_[A-Za-z0-9]{36,251})${R}`, ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], { body: afterPrefix(4), minEntropy: 3 }),
  rule('github-fine-grained-pat', 'GitHub fine-grained token', `${L}(github_pat_[A-Za-z0-9_]{60,255})${R}`, ['github_pat_'], { body: afterPrefix(11), minEntropy: 3 }),
  rule('gitlab-token', 'GitLab token', `${L}((?:glpat|glptt|gldt|glrt|glsoat|glcbt|glimt|glagent|gloas|glffct|glft)-[\\w-]{20,300}(?:\\.[0-9a-z]{9})?|GR1348941[\\w-]{20})${R}`, ['glpat-', 'glptt-', 'gldt-', 'glrt-', 'glsoat-', 'glcbt-', 'glimt-', 'glagent-', 'gloas-', 'glffct-', 'glft-', 'gr1348941'], { body: (v) => v.slice(v.indexOf('-') + 1 || 9), minEntropy: 3 }),
  rule('slack-token', 'Slack token', `${L}(xox[abposre]-(?:\\d-)?[A-Za-z0-9-]{10,250}|xoxe\\.xox[bp]-\\d-[A-Za-z0-9]{100,}|xapp-\\d-[A-Za-z0-9]+-\\d+-[a-z0-9]+)${R}`, ['xox', 'xapp-'], { body: afterPrefix(5), minEntropy: 3 }),
  rule('slack-webhook', 'Slack webhook URL', '(https?:\\/\\/hooks\\.slack\\.com\\/(?:services|workflows|triggers)\\/[A-Za-z0-9+/_-]{20,})', ['hooks.slack.com'], { body: (v) => v.slice(v.indexOf('/', 25)), minEntropy: 3 }),
  rule('stripe-key', 'Stripe secret key', `${L}((?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247})${R}`, ['sk_live', 'sk_test', 'sk_prod', 'rk_live', 'rk_test', 'rk_prod'], { body: afterPrefix(8), minEntropy: 3 }),
  rule('google-api-key', 'Google API key', `${L}(AIza[\\w-]{35})${R}`, ['aiza'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('google-oauth-secret', 'Google OAuth client secret', `${L}(GOCSPX-[\\w-]{28})${R}`, ['gocspx-'], { body: afterPrefix(7), minEntropy: 3 }),
  rule('google-oauth-token', 'Google OAuth access token', `${L}(ya29\\.[\\w-]{30,})${R}`, ['ya29.'], { body: afterPrefix(5), minEntropy: 3.5 }),
  rule('openai-api-key', 'OpenAI API key', `${L}(sk-(?:proj|svcacct|admin)-[\\w-]{40,}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})${R}`, ['sk-proj-', 'sk-svcacct-', 'sk-admin-', 't3blbkfj'], { body: (v) => v.slice(v.indexOf('-', 3) + 1), minEntropy: 3.5 }),
  rule('anthropic-api-key', 'Anthropic API key', `${L}(sk-ant-[a-z]{2,6}\\d\\d-[\\w-]{32,})${R}`, ['sk-ant-'], { body: afterPrefix(14), minEntropy: 3.5 }),
  rule('npm-token', 'npm access token', `${L}(npm_[A-Za-z0-9]{36})${R}`, ['npm_'], { body: afterPrefix(4), minEntropy: 3 }),
  rule('sendgrid-api-key', 'SendGrid API key', `${L}(SG\\.[\\w-]{22}\\.[\\w-]{43})${R}`, ['sg.'], { body: afterPrefix(3), minEntropy: 3.5 }),
  rule('twilio-api-key', 'Twilio API key', `${L}(SK[0-9a-fA-F]{32})${R}`, undefined, { body: afterPrefix(2), minEntropy: 3 }),
  rule('mailgun-api-key', 'Mailgun API key', `${L}(key-[0-9a-f]{32})${R}`, ['key-'], { body: afterPrefix(4), minEntropy: 3 }),
  rule('mailchimp-api-key', 'Mailchimp API key', `${L}([0-9a-f]{32}-us\\d{1,2})${R}`, ['-us'], { body: (v) => v.slice(0, 32), minEntropy: 3 }),
  rule('shopify-token', 'Shopify token', `${L}(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})${R}`, ['shpat_', 'shpca_', 'shppa_', 'shpss_'], { body: afterPrefix(6), minEntropy: 3 }),
  rule('square-token', 'Square token', `${L}((?:EAAA|sq0atp-)[\\w-]{22,80}|sq0csp-[\\w-]{43})${R}`, ['eaaa', 'sq0atp-', 'sq0csp-'], { body: afterPrefix(6), minEntropy: 3.5 }),
  rule('hubspot-token', 'HubSpot private app token', `${L}(pat-(?:na|eu|ap)\\d-${UUID})${R}`, ['pat-'], { body: afterPrefix(8), minEntropy: 3 }),
  // Sidekiq Enterprise/Pro credentials are two hex words; no entropy floor (the vendor's own docs use words like cafebabe).
  rule('sidekiq-secret', 'Sidekiq license credentials', '(?:BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM[\\w]*["\']?[ \\t]*(?:=|:|=>)[ \\t]*["\']?|https?:\\/\\/)([a-f0-9]{8}:[a-f0-9]{8})(?![\\w:])', ['contribsys'], {}, 'i'),
  rule('sourcegraph-token', 'Sourcegraph access token', `${L}(sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}|sgp_[a-fA-F0-9]{40})${R}`, ['sgp_'], { body: (v) => v.slice(-40), minEntropy: 3 }),
  rule('age-secret-key', 'age secret key', '(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})', ['age-secret-key-1'], { body: afterPrefix(16), minEntropy: 3.5 }),
  rule('1password-secret-key', '1Password secret key', `${L}(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})${R}`, ['a3-'], { body: afterPrefix(3), minEntropy: 3.5 }),
  rule('1password-service-token', '1Password service account token', `${L}(ops_eyJ[A-Za-z0-9+/]{100,}={0,3})`, ['ops_eyj'], { body: afterPrefix(7), minEntropy: 4 }),
  rule('discord-bot-token', 'Discord bot token', `${L}([MNO][\\w-]{23,25}\\.[\\w-]{6}\\.[\\w-]{27,38})${R}`, undefined, { check: (v) => decodesToDigits(v.slice(0, v.indexOf('.'))) || v.split('.').every((p) => looksRandom(p)) }),
  rule('discord-webhook', 'Discord webhook URL', '(https:\\/\\/(?:ptb\\.|canary\\.)?discord(?:app)?\\.com\\/api\\/webhooks\\/\\d{15,21}\\/[\\w-]{60,})', ['discord'], { body: (v) => v.slice(v.lastIndexOf('/') + 1), minEntropy: 3.5 }),
  rule('telegram-bot-token', 'Telegram bot token', `${L}(\\d{8,10}:AA[\\w-]{33})${R}`, [':aa'], { body: (v) => v.slice(v.indexOf(':') + 3), minEntropy: 3.5 }),
  rule('azure-storage-key', 'Azure Storage account key', '(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{40,}={0,2})', ['accountkey=', 'sharedaccesskey='], { minEntropy: 4 }, 'i'),
  rule('azure-ad-client-secret', 'Azure AD client secret', '(?:^|[\\\\\'"\\x60\\s>=:(,)])([a-zA-Z0-9_~.]{3}\\dQ~[a-zA-Z0-9_~.-]{31,34})(?=$|[\\\\\'"\\x60\\s<),])', ['q~'], { minEntropy: 3.5 }, 'm'),
  rule('azure-sas-token', 'Azure SAS signature', '[?&]sig=([A-Za-z0-9%+/=]{30,})', ['sig='], { minEntropy: 3.5 }),
  rule('heroku-api-key', 'Heroku API key', `${L}(HRKU-AA[\\w-]{58})${R}`, ['hrku-'], { body: afterPrefix(7), minEntropy: 3.5 }),
  rule('digitalocean-token', 'DigitalOcean token', `${L}(do[opr]_v1_[a-f0-9]{64})${R}`, ['_v1_'], { body: afterPrefix(7), minEntropy: 3 }),
  rule('huggingface-token', 'Hugging Face token', `${L}((?:hf_|api_org_)[A-Za-z]{34})${R}`, ['hf_', 'api_org_'], { body: (v) => v.slice(-34), minEntropy: 3.5, check: (v) => looksRandom(v.slice(-34)) || /[A-Z].*[A-Z]/.test(v.slice(-34)) }),
  rule('databricks-token', 'Databricks token', `${L}(dapi[a-f0-9]{32}(?:-\\d)?)${R}`, ['dapi'], { body: afterPrefix(4), minEntropy: 3 }),
  rule('doppler-token', 'Doppler token', `${L}(dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44})${R}`, ['dp.'], { body: (v) => v.slice(-40), minEntropy: 3.5 }),
  rule('dynatrace-token', 'Dynatrace token', `${L}(dt0c01\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{64})${R}`, ['dt0c01.'], { body: afterPrefix(7), minEntropy: 3.5 }),
  rule('grafana-token', 'Grafana token', `${L}(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,3}|eyJrIjoi[A-Za-z0-9]{70,400}={0,3})`, ['glsa_', 'glc_', 'eyjrijoi'], { body: afterPrefix(5), minEntropy: 3.5 }),
  rule('vault-token', 'HashiCorp Vault token', `${L}(hv[sbr]\\.[\\w-]{24,300})${R}`, ['hvs.', 'hvb.', 'hvr.'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('terraform-cloud-token', 'Terraform Cloud token', `${L}([A-Za-z0-9]{14}\\.atlasv1\\.[\\w=-]{60,70})${R}`, ['atlasv1'], { minEntropy: 3.5 }),
  rule('linear-api-key', 'Linear API key', `${L}(lin_(?:api|oauth)_[A-Za-z0-9]{40})${R}`, ['lin_api_', 'lin_oauth_'], { body: (v) => v.slice(-40), minEntropy: 3.5 }),
  rule('notion-token', 'Notion token', `${L}(ntn_\\d{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})${R}`, ['ntn_', 'secret_'], { body: (v) => v.slice(-35), minEntropy: 3.5 }),
  rule('pypi-token', 'PyPI upload token', '(pypi-AgEIcHlwaS5vcmc[\\w-]{50,})', ['pypi-ageichlwas5vcmc'], { body: afterPrefix(20), minEntropy: 3.5 }),
  rule('rubygems-token', 'RubyGems API key', `${L}(rubygems_[a-f0-9]{48})${R}`, ['rubygems_'], { body: afterPrefix(9), minEntropy: 3 }),
  rule('postman-api-key', 'Postman API key', `${L}(PMAK-[a-f0-9]{24}-[a-f0-9]{34})${R}`, ['pmak-'], { body: afterPrefix(5), minEntropy: 3 }, 'i'),
  rule('pulumi-token', 'Pulumi access token', `${L}(pul-[a-f0-9]{40})${R}`, ['pul-'], { body: afterPrefix(4), minEntropy: 3 }),
  rule('shippo-token', 'Shippo API token', `${L}(shippo_(?:live|test)_[a-fA-F0-9]{40})${R}`, ['shippo_'], { body: (v) => v.slice(-40), minEntropy: 3 }),
  rule('newrelic-key', 'New Relic key', `${L}(NR(?:AK|II|JS|RA)-[\\w-]{19,32})${R}`, ['nrak-', 'nrii-', 'nrjs-', 'nrra-'], { body: afterPrefix(5), minEntropy: 3.5 }),
  rule('atlassian-api-token', 'Atlassian API token', `${L}(ATATT3[\\w=-]{180,})`, ['atatt3'], { body: afterPrefix(6), minEntropy: 4 }),
  rule('cloudflare-origin-ca-key', 'Cloudflare Origin CA key', `${L}(v1\\.0-[a-f0-9]{24}-[a-f0-9]{146})${R}`, ['v1.0-'], { body: afterPrefix(5), minEntropy: 3 }),
  rule('sentry-token', 'Sentry token', `${L}(sntry[us]_[\\w+/=]{40,})`, ['sntryu_', 'sntrys_'], { body: afterPrefix(7), minEntropy: 3.5 }),
  rule('tailscale-key', 'Tailscale key', `${L}(tskey-(?:auth|api|client|scim|webhook)-[A-Za-z0-9]+-[A-Za-z0-9]{20,})${R}`, ['tskey-'], { minEntropy: 3.5 }),
  rule('groq-api-key', 'Groq API key', `${L}(gsk_[A-Za-z0-9]{52})${R}`, ['gsk_'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('perplexity-api-key', 'Perplexity API key', `${L}(pplx-[A-Za-z0-9]{48})${R}`, ['pplx-'], { body: afterPrefix(5), minEntropy: 3.5 }),
  rule('replicate-token', 'Replicate API token', `${L}(r8_[A-Za-z0-9]{37})${R}`, ['r8_'], { body: afterPrefix(3), minEntropy: 3.5 }),
  rule('flyio-token', 'Fly.io token', `${L}(fo1_[\\w-]{43}|(?:FlyV1 )?fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})`, ['fo1_', 'fm1', 'fm2_'], { body: (v) => v.slice(v.indexOf('_') + 1), minEntropy: 3.5 }),
  rule('supabase-token', 'Supabase token', `${L}(sbp_(?:oauth_)?[a-f0-9]{40}|sb_secret_[\\w-]{20,})${R}`, ['sbp_', 'sb_secret_'], { body: (v) => v.slice(-20), minEntropy: 3 }),
  rule('planetscale-token', 'PlanetScale token', `${L}(pscale_(?:tkn|pw|oauth)_[\\w=.-]{32,64})${R}`, ['pscale_'], { body: (v) => v.slice(v.indexOf('_', 7) + 1), minEntropy: 3.5 }),
  rule('dockerhub-token', 'Docker Hub token', `${L}(dckr_(?:pat|oat)_[\\w-]{27,})${R}`, ['dckr_'], { body: afterPrefix(9), minEntropy: 3.5 }),
  rule('mapbox-secret-token', 'Mapbox secret token', `${L}(sk\\.eyJ[\\w-]{20,}\\.[\\w-]{20,})${R}`, ['sk.eyj'], { body: afterPrefix(3), minEntropy: 3.5 }),
  rule('alibaba-access-key', 'Alibaba Cloud access key id', `${L}(LTAI[A-Za-z0-9]{20})${R}`, ['ltai'], { body: afterPrefix(4), minEntropy: 3 }),
  rule('easypost-key', 'EasyPost API key', `${L}(EZ[AT]K[A-Za-z0-9]{54})${R}`, ['ezak', 'eztk'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('duffel-token', 'Duffel API token', `${L}(duffel_(?:test|live)_[\\w=-]{43})${R}`, ['duffel_'], { body: (v) => v.slice(-43), minEntropy: 3.5 }),
  rule('prefect-key', 'Prefect API key', `${L}(pnu_[A-Za-z0-9]{36})${R}`, ['pnu_'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('readme-key', 'ReadMe API key', `${L}(rdme_[a-z0-9]{70})${R}`, ['rdme_'], { body: afterPrefix(5), minEntropy: 3.5 }),
  rule('scalingo-token', 'Scalingo API token', `${L}(tk-us-[\\w-]{48})${R}`, ['tk-us-'], { body: afterPrefix(6), minEntropy: 3.5 }),
  rule('facebook-token', 'Facebook access token', `${L}(EAA[CM][A-Za-z0-9]{100,})${R}`, ['eaac', 'eaam'], { body: afterPrefix(4), minEntropy: 4 }),
  rule('twitter-bearer-token', 'Twitter bearer token', `${L}(A{20,}[A-Za-z0-9%]{80,110})${R}`, ['aaaaaaaaaaaaaaaaaaaa'], { body: (v) => v.replace(/^A+/, ''), minEntropy: 4 }),
  rule('teams-webhook', 'Microsoft Teams webhook URL', '(https:\\/\\/[\\w-]+\\.webhook\\.office\\.com\\/webhookb2\\/[\\w@/-]{100,})', ['webhook.office.com'], { body: (v) => v.slice(-70), minEntropy: 3 }),
  rule('sonar-token', 'SonarQube token', `${L}(sq[upa]_[a-f0-9]{40})${R}`, ['squ_', 'sqp_', 'sqa_'], { body: afterPrefix(4), minEntropy: 3 }),
  rule('jfrog-token', 'JFrog token', `${L}(AKCp[A-Za-z0-9]{69}|cmVmdGtu[A-Za-z0-9]{56})${R}`, ['akcp', 'cmvmdgtu'], { body: afterPrefix(4), minEntropy: 4 }),
  rule('infracost-key', 'Infracost API key', `${L}(ico-[A-Za-z0-9]{32})${R}`, ['ico-'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('sendinblue-key', 'Brevo (Sendinblue) API key', `${L}(xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16})${R}`, ['xkeysib-'], { body: afterPrefix(8), minEntropy: 3 }),
  rule('frameio-token', 'Frame.io token', `${L}(fio-u-[\\w=-]{64})${R}`, ['fio-u-'], { body: afterPrefix(6), minEntropy: 3.5 }),
  rule('launchdarkly-key', 'LaunchDarkly key', `${L}((?:sdk|api|mob)-${UUID})${R}`, ['sdk-', 'api-', 'mob-'], { body: afterPrefix(4), minEntropy: 3 }),
  rule('openshift-token', 'OpenShift token', `${L}(sha256~[\\w-]{43})${R}`, ['sha256~'], { body: afterPrefix(7), minEntropy: 3.5 }),
  rule('maxmind-license-key', 'MaxMind license key', `${L}([A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)${R}`, ['_mmk'], { minEntropy: 3.5 }),
  rule('xai-api-key', 'xAI API key', `${L}(xai-[A-Za-z0-9]{80})${R}`, ['xai-'], { body: afterPrefix(4), minEntropy: 4 }),
  rule('langsmith-key', 'LangSmith API key', `${L}(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})${R}`, ['lsv2_'], { body: afterPrefix(8), minEntropy: 3 }),
  rule('nuget-api-key', 'NuGet API key', `${L}(oy2[a-z0-9]{43})${R}`, ['oy2'], { body: afterPrefix(3), minEntropy: 3.5 }),
  rule('contentful-token', 'Contentful token', `${L}(CFPAT-[\\w-]{43})${R}`, ['cfpat-'], { body: afterPrefix(6), minEntropy: 3.5 }),
  rule('clojars-token', 'Clojars token', '(CLOJARS_[a-z0-9]{60})', ['clojars_'], { body: afterPrefix(8), minEntropy: 3.5 }, 'i'),
  rule('harness-token', 'Harness token', `${L}((?:pat|sat)\\.[\\w-]{22}\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{20})${R}`, ['pat.', 'sat.'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('dropbox-token', 'Dropbox token', `${L}(sl\\.(?:u\\.)?[\\w=-]{130,})`, ['sl.'], { body: afterPrefix(3), minEntropy: 4 }),
  rule('yandex-key', 'Yandex key', `${L}(AQVN[\\w-]{35,38}|t1\\.[\\w-]+={0,2}\\.[\\w-]{86}={0,2})${R}`, ['aqvn', 't1.'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('pinecone-key', 'Pinecone API key', `${L}(pcsk_[A-Za-z0-9]{5,8}_[A-Za-z0-9]{50,70})${R}`, ['pcsk_'], { body: afterPrefix(5), minEntropy: 4 }),
  rule('firebase-fcm-key', 'Firebase Cloud Messaging server key', `${L}(AAAA[\\w-]{7}:APA91b[\\w-]{120,150})${R}`, ['apa91b'], { body: afterPrefix(18), minEntropy: 4 }),
  rule('plaid-token', 'Plaid access token', `${L}(access-(?:sandbox|development|production)-${UUID})${R}`, ['access-'], { body: (v) => v.slice(-36), minEntropy: 3 }),
  rule('resend-api-key', 'Resend API key', `${L}(re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24})${R}`, ['re_'], { body: afterPrefix(3), minEntropy: 3.5 }),
  rule('neon-api-key', 'Neon API key', `${L}(napi_[a-z0-9]{64})${R}`, ['napi_'], { body: afterPrefix(5), minEntropy: 3.5 }),
  rule('netlify-token', 'Netlify token', `${L}(nfp_[A-Za-z0-9]{36})${R}`, ['nfp_'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('render-api-key', 'Render API key', `${L}(rnd_[A-Za-z0-9]{32})${R}`, ['rnd_'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('adafruit-io-key', 'Adafruit IO key', `${L}(aio_[A-Za-z0-9]{28})${R}`, ['aio_'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('circleci-token', 'CircleCI token', `${L}(CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40})${R}`, ['ccipat_'], { body: afterPrefix(7), minEntropy: 3.5 }),
  rule('clickhouse-key', 'ClickHouse Cloud key', `${L}(4b1d[A-Za-z0-9]{38})${R}`, ['4b1d'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('octopus-deploy-key', 'Octopus Deploy API key', `${L}(API-[A-Z0-9]{26})${R}`, ['api-'], { body: afterPrefix(4), minEntropy: 3.5 }),
  rule('settlemint-token', 'SettleMint token', `${L}(sm_(?:aat|pat|sat)_[A-Za-z0-9]{16})${R}`, ['sm_aat_', 'sm_pat_', 'sm_sat_'], { body: afterPrefix(7), minEntropy: 3 }),
  rule('gitlab-session-cookie', 'GitLab session cookie', '_gitlab_session=([0-9a-z]{32})', ['_gitlab_session='], { minEntropy: 3 }),
  rule('jwt', 'JSON Web Token', `${L}(eyJ[\\w-]{10,}\\.eyJ[\\w-]{10,}\\.[\\w-]{10,}={0,2})`, ['eyj'], { body: (v) => v.slice(v.lastIndexOf('.') + 1), minEntropy: 3 }),
  // PEM private keys, with real line breaks or escaped ones (JSON, env files); an unterminated key counts.
  rule('private-key', 'private key', '(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$))', ['private key'], { body: (v) => v.replace(/-----[^-]+-----|\\n|\s/g, ''), minEntropy: 4, check: (v) => v.replace(/-----[^-]+-----|\\n|\s/g, '').length >= 64 }),
  // The same, base64-encoded (kubeconfig client-key-data, CI variables): "-----BEGIN" and "PRIVATE KEY" at any alignment.
  rule('private-key', 'private key (base64)', `${L}(LS0tLS1CRUdJTi[A-Za-z0-9+/]{0,40}(?:UFJJVkFURSBLRVkt|BSSVZBVEUgS0VZL|QUklWQVRFIEtFWS0)[A-Za-z0-9+/]{60,}={0,2})`, ['ls0tls1crudjt'], { minEntropy: 4 }),
  rule('putty-private-key', 'PuTTY private key', '(?:^|\\n)Private-Lines: \\d+\\r?\\n((?:[A-Za-z0-9+/=]{1,64}\\r?\\n)*[A-Za-z0-9+/=]{1,64})(?=\\r?\\n|$)', ['private-lines:'], { minEntropy: 4 }),
];

/** Runs every vendor rule whose keywords occur in `lower` (the text in lower case). */
export function runVendorRules(text: string, lower: string, emit: (ruleId: string, type: string, start: number, end: number) => void): void {
  const { list, keywords } = vendorRules();
  const present = new Set(lower.match(keywords));
  for (const r of list) {
    if (r.keywords && !r.keywords.some((k) => present.has(k))) continue;
    r.pattern.lastIndex = 0;
    for (const m of text.matchAll(r.pattern)) {
      const span = m.indices?.[1];
      const value = m[1];
      if (!span || value === undefined) continue;
      if (r.leftBoundary && span[0] > 0 && /[\w-]/.test(text[span[0] - 1]!)) continue;
      const body = r.body ? r.body(value) : value;
      if (isPlaceholder(body) || isDocumented(value)) continue;
      if (r.minEntropy !== undefined && entropy(body) < r.minEntropy) continue;
      if (r.check && !r.check(value)) continue;
      emit(r.id, r.type, span[0], span[1]);
    }
  }
}
