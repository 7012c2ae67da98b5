# The example policy for tool calls that reach Countersign through the MCP gateway
# (`countersign mcp-gateway`). Each call arrives as:
#   action   {"name": "mcp:<upstream>/<tool>", "params": <the call's arguments>}
#   resource {"type": "mcp_tool", "id": "<upstream>/<tool>", "annotations": <the upstream's annotations>,
#             "environment": <the gateway's --environment, when set>}
#   actor    {"id": <the agent>, "type": "ai_agent", "on_behalf_of": <the human it works for>}
#   context  {"mcp": {"session_id", "client": {"name", "version"}, "upstream", "tool"}}
# The rules, first match wins: a named few tools are never run; read-only tools run; destructive tools
# in production wait for a release manager; anything else runs.
package countersign

import rego.v1

# The gateway's tool calls.
mcp_tool_call if input.resource.type == "mcp_tool"

# Tools (<upstream>/<tool>) no agent may run through the gateway, whatever the environment.
mcp_denied_tools := {"shell/exec", "shell/run", "fs/format_disk"}

mcp_annotations := object.get(input.resource, "annotations", {})

default mcp_read_only := false

mcp_read_only if mcp_annotations.readOnlyHint == true

# MCP's own default: a tool that is not read-only is destructive unless it says destructiveHint: false.
mcp_destructive if {
	not mcp_read_only
	object.get(mcp_annotations, "destructiveHint", true) == true
}

mcp_rules := [
	{"id": "mcp-denied-tool", "when": input.resource.id in mcp_denied_tools, "outcome": "deny", "reason": sprintf("the tool %s may not be run through the gateway", [input.resource.id])},
	{"id": "mcp-read-only", "when": mcp_read_only, "outcome": "allow", "reason": "read-only tool"},
	{"id": "mcp-destructive-production", "when": mcp_destructive_in_production, "outcome": "require_approval", "reason": sprintf("%s is destructive and the environment is production: a release manager must approve", [input.resource.id]), "approval": {"quorum": 1, "reviewers": {"roles": ["release-manager"]}, "ttl_seconds": 900, "grant_ttl_seconds": 120}},
	{"id": "mcp-other", "when": true, "outcome": "allow", "reason": "tool call allowed outside production or not destructive"},
]

default mcp_destructive_in_production := false

mcp_destructive_in_production if {
	mcp_destructive
	input.resource.environment == "production"
}

mcp_first := min({i | some i, r in mcp_rules; r.when == true})

mcp_chosen := mcp_rules[mcp_first]

mcp_decision := d if {
	mcp_chosen.outcome == "require_approval"
	d := {"outcome": "require_approval", "reasons": [mcp_chosen.reason], "approval": mcp_chosen.approval, "rule": mcp_chosen.id}
}

mcp_decision := d if {
	mcp_chosen.outcome != "require_approval"
	d := {"outcome": mcp_chosen.outcome, "reasons": [mcp_chosen.reason], "rule": mcp_chosen.id}
}

# The tools the gateway leaves out of an agent's tools/list: the `countersign/mcp_hidden_tools`
# entrypoint, asked through POST /v1/mcp/hidden-tools (read-only: no request, no record). It names the
# tools these rules deny outright, whatever the arguments: here the same set the first rule denies.
# Input: {actor, tools: [<each tool as a call's resource>], context, caller, now}.
mcp_hidden_tools contains tool.id if {
	some tool in input.tools
	tool.id in mcp_denied_tools
}
