# Countersign's example decision policy: which privileged actions are allowed, denied, or need a human.
#
# The service evaluates data.countersign.decision for every POST /v1/decide. The input is the request
# ({actor, action, resource, context}) plus what the service knows (caller principal, server time).
# Copy this file and edit the rule table below; `npx countersign test rego/` runs the unit tests in
# decision_test.rego.
package countersign

import rego.v1

# ---------------------------------------------------------------------------------------------------
# The rule table. Each entry matches actions by exact name and, optionally, by resource environment
# (input.resource.environment) and actor type (input.actor.type: "human", "ci", "service" or "ai_agent").
# The first matching entry in table order decides; a request no entry matches is denied.
# ---------------------------------------------------------------------------------------------------

action_rules := [
	# Destructive actions on production are never allowed, whoever asks.
	{"id": "no-prod-drop", "actions": ["db.drop", "db.truncate", "storage.bucket.delete"], "environments": ["production"], "outcome": "deny", "reason": "destructive action on production is not allowed"},
	# Data leaving production needs a database administrator.
	{"id": "prod-export", "actions": ["db.export", "db.dump"], "environments": ["production"], "outcome": "require_approval", "reason": "exporting production data needs a DBA", "approval": {"quorum": 1, "reviewers": {"roles": ["dba"]}, "ttl_seconds": 3600, "grant_ttl_seconds": 300, "reason_required": true}, "mask": ["/action/params/query"]},
	# IAM changes need two distinct people from security. Reviewers who have not voted are reminded every
	# 30 minutes; after an hour the request is also posted to the general approvals channel.
	{"id": "iam-change", "actions": ["iam.role.grant", "iam.role.revoke", "iam.policy.update"], "outcome": "require_approval", "reason": "IAM changes need two security reviewers", "approval": {"quorum": 2, "reviewers": {"roles": ["security"]}, "ttl_seconds": 7200, "grant_ttl_seconds": 300, "remind_after_seconds": 1800, "escalate": [{"after_seconds": 3600, "channel": "approvals"}]}},
	# AI agents deploying to production need a release manager.
	{"id": "agent-prod-deploy", "actions": ["deploy.release", "deploy.rollback"], "environments": ["production"], "actor_types": ["ai_agent"], "outcome": "require_approval", "reason": "production deploys by an AI agent need a release manager", "approval": {"quorum": 1, "reviewers": {"roles": ["release-manager"]}, "ttl_seconds": 1800, "grant_ttl_seconds": 600, "channel": "releases"}},
	# People and CI pipelines deploy to production on their own. Listing the actor types (rather than
	# "everyone but ai_agent") means a request that leaves actor.type out, or names another type, is denied.
	{"id": "prod-deploy", "actions": ["deploy.release", "deploy.rollback"], "environments": ["production"], "actor_types": ["human", "ci"], "outcome": "allow", "reason": "production deploys by people and pipelines are allowed"},
	# Anyone may deploy outside production.
	{"id": "nonprod-deploy", "actions": ["deploy.release", "deploy.rollback"], "environments": ["staging", "development"], "outcome": "allow", "reason": "deploys outside production are allowed"},
	# Routine reads are always allowed.
	{"id": "reads", "actions": ["db.read", "db.query", "storage.object.get", "logs.read", "metrics.read", "tickets.read"], "outcome": "allow", "reason": "routine read"},
	# Non-production data work is allowed.
	{"id": "nonprod-data", "actions": ["db.export", "db.dump", "db.drop", "db.truncate", "db.write"], "environments": ["staging", "development"], "outcome": "allow", "reason": "non-production data work"},
	# A DBA may approve up to 5 identical writes within an hour (a batch job's retries), never other writes.
	{"id": "prod-write", "actions": ["db.write"], "environments": ["production"], "outcome": "require_approval", "reason": "writes to production data need a DBA", "approval": {"quorum": 1, "reviewers": {"roles": ["dba"]}, "ttl_seconds": 3600, "grant_ttl_seconds": 300, "max_scope": {"count": 5, "window_seconds": 3600}}},
	# During an incident, on-call may read a production secret at once with a justification (break-glass);
	# security then acknowledges the use.
	{"id": "secrets-read", "actions": ["secrets.read"], "environments": ["production"], "outcome": "require_approval", "reason": "reading production secrets needs security", "approval": {"quorum": 1, "reviewers": {"roles": ["security"]}, "ttl_seconds": 900, "grant_ttl_seconds": 120, "break_glass_allowed": true}},
	{"id": "secrets-read-nonprod", "actions": ["secrets.read"], "outcome": "allow", "reason": "non-production secrets"},
	{"id": "billing-change", "actions": ["billing.plan.change", "billing.refund"], "outcome": "require_approval", "reason": "billing changes need finance and security", "approval": {"quorum": 2, "reviewers": {"groups": [{"roles": ["finance"], "quorum": 1}, {"roles": ["security"], "quorum": 1}]}, "ttl_seconds": 86400, "grant_ttl_seconds": 600}},
	{"id": "user-admin", "actions": ["users.disable", "users.delete", "users.mfa.reset"], "outcome": "require_approval", "reason": "account administration needs security", "approval": {"quorum": 1, "reviewers": {"roles": ["security"]}, "ttl_seconds": 3600, "grant_ttl_seconds": 300}},
	{"id": "network-change", "actions": ["network.firewall.update", "network.route.update"], "environments": ["production"], "outcome": "require_approval", "reason": "production network changes need two security reviewers", "approval": {"quorum": 2, "reviewers": {"roles": ["security"]}, "ttl_seconds": 3600, "grant_ttl_seconds": 300}},
	{"id": "feature-flags", "actions": ["flags.update"], "outcome": "allow", "reason": "feature flag changes are reversible"},
	{"id": "scale", "actions": ["compute.scale", "compute.restart"], "outcome": "allow", "reason": "routine operations"},
]

# ---------------------------------------------------------------------------------------------------
# The decision.
# ---------------------------------------------------------------------------------------------------

# Rules in the table that match this request, by position.
matching contains i if {
	not mcp_tool_call
	some i, rule in action_rules
	input.action.name in rule.actions
	env_matches(rule)
	actor_type_matches(rule)
}

env_matches(rule) if not rule.environments

env_matches(rule) if input.resource.environment in rule.environments

actor_type_matches(rule) if not rule.actor_types

actor_type_matches(rule) if input.actor.type in rule.actor_types

# The first matching rule decides.
first_match := min(matching)

chosen := action_rules[first_match]

default decision := {"outcome": "deny", "reasons": ["no policy rule matches this action"]}

# Tool calls from the MCP gateway are decided by mcp.rego's rules.
decision := mcp_decision if mcp_tool_call

# A require_approval entry must carry an approval object; if one is forgotten, the engine reports the
# decision as ill-formed (and denies) rather than this rule silently not applying.
decision := d if {
	chosen.outcome == "require_approval"
	d := {
		"outcome": "require_approval",
		"reasons": [chosen.reason],
		"approval": object.get(chosen, "approval", null),
		"mask": object.get(chosen, "mask", []),
		"rule": chosen.id,
	}
}

decision := d if {
	chosen.outcome != "require_approval"
	d := {"outcome": chosen.outcome, "reasons": [chosen.reason], "mask": object.get(chosen, "mask", []), "rule": chosen.id}
}
