// Why a leaked credential matters, by the rule's tags (rulesets/*.toml), most specific first.
const BY_TAG = [
  ['payments', 'can move money, issue refunds or read your customers\' payment data'],
  ['ai', 'can spend your API credit and read prompts and files sent to the model'],
  ['database', 'can read, change or delete the data in your database'],
  ['storage', 'can read, overwrite or delete the files in your storage'],
  ['registry', 'can publish packages under your name: a supply-chain attack on everyone who installs them'],
  ['ci', 'can run jobs in your pipelines and read the secrets they hold'],
  ['vcs', 'can read your private code and push changes to it'],
  ['oauth', 'can act as your application or your users'],
  ['cloud', 'can create, read and delete resources in your cloud account, and run up the bill'],
  ['messaging', 'can send messages in your name (phishing, spam) and read past conversations'],
  ['chat', 'can post as your bot or workspace and read channels'],
  ['social', 'can post as your account'],
  ['monitoring', 'can read your logs and metrics, which often hold more secrets'],
  ['iot', 'can control your devices'],
  ['network', 'can change your network or DNS configuration'],
  ['crypto', 'can sign things or decrypt data as you'],
  ['keys', 'can sign things or decrypt data as you'],
];

/** One sentence on why this finding matters. `rule` is an entry of `engine.rules()`. */
export function whyItMatters(rule, finding) {
  if (finding.publishable) {
    return 'This key is meant to be public (for example in a web page), so this is usually fine; check that the secret key of the same pair is not next to it.';
  }
  const tags = rule?.tags ?? [];
  const hit = BY_TAG.find(([t]) => tags.includes(t));
  const what = hit ? hit[1] : 'can use the service as you, with your permissions';
  return `Anyone who sees this ${finding.provider} credential ${what}. Once pasted into a chat, ticket or log it should be treated as leaked: rotate it.`;
}
