# Unit tests for the MCP gateway's example rules (mcp.rego): read-only tools run, destructive tools in
# production wait for a release manager, a named few are refused. Run with `npx countersign test rego/`.
package countersign_mcp_test

import rego.v1

import data.countersign

# A tool call as the gateway sends it.
tool_call(id, annotations, environment) := {
	"actor": {"id": "agent:coder", "type": "ai_agent", "on_behalf_of": "user:dana"},
	"action": {"name": sprintf("mcp:%s", [id]), "params": {"path": "/tmp/x"}},
	"resource": {"type": "mcp_tool", "id": id, "annotations": annotations, "environment": environment},
	"context": {"mcp": {"session_id": "s-1", "client": {"name": "test", "version": "1"}}},
}

decide(id, annotations, environment) := d if {
	d := countersign.decision with input as tool_call(id, annotations, environment)
}

test_read_only_tool_allowed_in_production if {
	d := decide("fs/read_file", {"readOnlyHint": true}, "production")
	d.outcome == "allow"
	d.rule == "mcp-read-only"
}

test_destructive_tool_in_production_needs_a_release_manager if {
	d := decide("fs/delete_file", {"destructiveHint": true}, "production")
	d.outcome == "require_approval"
	d.rule == "mcp-destructive-production"
	d.approval.reviewers.roles == ["release-manager"]
	d.approval.quorum == 1
}

test_tool_without_hints_is_destructive_by_default if {
	d := decide("fs/write_file", {}, "production")
	d.outcome == "require_approval"
}

test_tool_declared_not_destructive_allowed if {
	d := decide("fs/append_note", {"readOnlyHint": false, "destructiveHint": false}, "production")
	d.outcome == "allow"
	d.rule == "mcp-other"
}

test_destructive_tool_outside_production_allowed if {
	d := decide("fs/delete_file", {"destructiveHint": true}, "staging")
	d.outcome == "allow"
}

test_named_tool_denied_even_if_read_only if {
	d := decide("shell/exec", {"readOnlyHint": true}, "development")
	d.outcome == "deny"
	d.rule == "mcp-denied-tool"
	d.reasons == ["the tool shell/exec may not be run through the gateway"]
}

test_ordinary_actions_unaffected if {
	d := countersign.decision with input as {"actor": {"id": "user:x", "type": "human"}, "action": {"name": "db.read"}, "resource": {"type": "database", "id": "x"}}
	d.outcome == "allow"
	d.rule == "reads"
}

# The tools/list query: the denied tools are hidden, the others (even those needing approval) listed.
tools_listing := {
	"actor": {"id": "agent:coder", "type": "ai_agent"},
	"tools": [
		{"type": "mcp_tool", "id": "fs/read_file", "annotations": {"readOnlyHint": true}},
		{"type": "mcp_tool", "id": "fs/delete_file", "annotations": {"destructiveHint": true}, "environment": "production"},
		{"type": "mcp_tool", "id": "fs/format_disk", "annotations": {"destructiveHint": true}},
		{"type": "mcp_tool", "id": "shell/exec", "annotations": {}},
	],
}

test_hidden_tools_are_the_denied_ones if {
	hidden := countersign.mcp_hidden_tools with input as tools_listing
	hidden == {"fs/format_disk", "shell/exec"}
}

test_hidden_tools_are_denied_when_called_all_the_same if {
	hidden := countersign.mcp_hidden_tools with input as tools_listing
	count(hidden) == 2
	every id in hidden {
		decide(id, {}, "staging").outcome == "deny"
	}
}
