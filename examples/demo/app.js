// Demo source file: the token below is FAKE, made up for the secretsift demo.
const { Octokit } = require("@octokit/rest");

const octokit = new Octokit({ auth: "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" });

// A test fixture the team has reviewed and accepted: silenced inline.
const fixtureKey = "AKIAY7MB4XQ2KC3JDL6W"; // secretsift:allow

module.exports = { octokit, fixtureKey };
