# Unit tests for the example decision policy (decision.rego): one or more per scenario, each checking the
# outcome and the reasons. Run them with `npx countersign test rego/`.
package countersign_test

import rego.v1

import data.countersign

# A decision request as the service hands it to the policy (the caller and server time are left out:
# the example policy does not look at them).
request(action, environment, actor_type) := {
	"actor": {"id": "user:test", "type": actor_type},
	"action": {"name": action, "params": {}},
	"resource": {"type": "database", "id": "test", "environment": environment},
	"context": {},
}

# The decision for such a request.
decide(action, environment, actor_type) := d if {
	d := countersign.decision with input as request(action, environment, actor_type)
}

# --- routine reads -------------------------------------------------------------------------------

test_routine_read_allowed if {
	d := decide("db.read", "production", "human")
	d.outcome == "allow"
	d.reasons == ["routine read"]
	d.rule == "reads"
}

test_routine_read_by_an_agent_allowed if {
	d := decide("logs.read", "production", "ai_agent")
	d.outcome == "allow"
	d.reasons == ["routine read"]
}

# --- data exports --------------------------------------------------------------------------------

test_production_export_needs_one_dba if {
	d := decide("db.export", "production", "ai_agent")
	d.outcome == "require_approval"
	d.reasons == ["exporting production data needs a DBA"]
	d.approval.quorum == 1
	d.approval.reviewers == {"roles": ["dba"]}
	d.approval.ttl_seconds == 3600
	d.approval.reason_required == true
	d.mask == ["/action/params/query"]
}

test_production_dump_needs_one_dba if {
	d := decide("db.dump", "production", "human")
	d.outcome == "require_approval"
	d.reasons == ["exporting production data needs a DBA"]
	d.approval.reviewers.roles == ["dba"]
}

test_non_production_export_allowed if {
	d := decide("db.export", "staging", "human")
	d.outcome == "allow"
	d.reasons == ["non-production data work"]
	not d.approval
}

# A real export carries many parameters; the decision must not depend on how many.
test_production_export_with_many_params_needs_one_dba if {
	params := {sprintf("param_%d", [i]): {"value": i, "label": sprintf("label %d", [i])} | some i in numbers.range(1, 35)}
	r := object.union(request("db.export", "production", "ai_agent"), {"action": {"name": "db.export", "params": params}})
	d := countersign.decision with input as r
	d.outcome == "require_approval"
	d.rule == "prod-export"
	d.approval.reviewers == {"roles": ["dba"]}
}

# --- IAM changes ---------------------------------------------------------------------------------

test_iam_role_change_needs_two_security_reviewers if {
	d := decide("iam.role.grant", "production", "human")
	d.outcome == "require_approval"
	d.reasons == ["IAM changes need two security reviewers"]
	d.approval.quorum == 2
	d.approval.reviewers == {"roles": ["security"]}
}

test_iam_changes_need_approval_in_every_environment if {
	d := decide("iam.role.revoke", "development", "ci")
	d.outcome == "require_approval"
	d.approval.quorum == 2
}

# --- deploys -------------------------------------------------------------------------------------

test_production_deploy_by_an_agent_needs_a_release_manager if {
	d := decide("deploy.release", "production", "ai_agent")
	d.outcome == "require_approval"
	d.reasons == ["production deploys by an AI agent need a release manager"]
	d.approval.quorum == 1
	d.approval.reviewers == {"roles": ["release-manager"]}
	d.approval.channel == "releases"
}

test_production_deploy_by_a_human_allowed if {
	d := decide("deploy.release", "production", "human")
	d.outcome == "allow"
	d.reasons == ["production deploys by people and pipelines are allowed"]
}

test_production_deploy_by_a_pipeline_allowed if {
	d := decide("deploy.rollback", "production", "ci")
	d.outcome == "allow"
	d.reasons == ["production deploys by people and pipelines are allowed"]
}

test_production_deploy_without_an_actor_type_denied if {
	req := {
		"actor": {"id": "agent:unnamed"},
		"action": {"name": "deploy.release"},
		"resource": {"type": "service", "id": "api", "environment": "production"},
	}
	d := countersign.decision with input as req
	d.outcome == "deny"
	d.reasons == ["no policy rule matches this action"]
}

test_production_deploy_by_another_actor_type_denied if {
	d := decide("deploy.release", "production", "service")
	d.outcome == "deny"
	d.reasons == ["no policy rule matches this action"]
}

test_staging_deploy_by_an_agent_allowed if {
	d := decide("deploy.release", "staging", "ai_agent")
	d.outcome == "allow"
	d.reasons == ["deploys outside production are allowed"]
}

# --- destructive actions -------------------------------------------------------------------------

test_production_drop_denied if {
	d := decide("db.drop", "production", "human")
	d.outcome == "deny"
	d.reasons == ["destructive action on production is not allowed"]
}

test_production_drop_denied_for_agents_too if {
	d := decide("db.drop", "production", "ai_agent")
	d.outcome == "deny"
	d.reasons == ["destructive action on production is not allowed"]
}

test_drop_in_an_unknown_environment_denied if {
	d := decide("db.drop", "prod", "human")
	d.outcome == "deny"
	d.reasons == ["no policy rule matches this action"]
}

# --- default deny --------------------------------------------------------------------------------

test_unknown_action_denied if {
	d := decide("rocket.launch", "production", "human")
	d.outcome == "deny"
	d.reasons == ["no policy rule matches this action"]
}

test_empty_request_denied if {
	d := countersign.decision with input as {}
	d.outcome == "deny"
	d.reasons == ["no policy rule matches this action"]
}

# --- the rule table itself -----------------------------------------------------------------------

test_rule_ids_are_unique if {
	ids := [rule.id | some rule in countersign.action_rules]
	count(ids) == count({id | some id in ids})
}

# Every entry has a known outcome, and every require_approval entry says who approves and for how long,
# so a table edit that forgets one fails here rather than as a fail-closed deny in production.
test_every_entry_is_complete if {
	every rule in countersign.action_rules {
		rule.outcome in {"allow", "deny", "require_approval"}
		is_string(rule.reason)
		approval_complete(rule)
	}
}

approval_complete(rule) if rule.outcome != "require_approval"

approval_complete(rule) if {
	rule.approval.quorum >= 1
	count(object.get(rule.approval.reviewers, "roles", [])) + count(object.get(rule.approval.reviewers, "groups", [])) > 0
	rule.approval.ttl_seconds > 0
}

test_iam_change_reminds_and_escalates_to_the_approvals_channel if {
	d := decide("iam.role.grant", "production", "human")
	d.approval.remind_after_seconds == 1800
	d.approval.escalate == [{"after_seconds": 3600, "channel": "approvals"}]
}

test_production_writes_may_be_approved_for_a_batch if {
	d := decide("db.write", "production", "ci")
	d.approval.max_scope == {"count": 5, "window_seconds": 3600}
	not d.approval.break_glass_allowed
}

test_production_secrets_allow_break_glass_and_exports_do_not if {
	decide("secrets.read", "production", "human").approval.break_glass_allowed == true
	not decide("db.export", "production", "human").approval.break_glass_allowed
}
