// The SIEM feed for older collectors: an event's ECS document as one CEF line (ArcSight Common
// Event Format 0), wrapped in an RFC 5424 syslog message. Built from the ECS document only, so it
// carries nothing the document does not (no personal data). The mapping is in docs/siem.md.
#pragma once

#include <string>

#include "nlohmann/json.hpp"

namespace breachd::siem {

// CEF severity 0..10 of a document: a missed deadline 8, a refusal 7, any other failure 6, a
// deadline warning 5, a read 2, anything else 3; a severity assessment follows its band (low 3,
// medium 5, high 7, very high 9).
int CefSeverity(const nlohmann::json& document);

// "CEF:0|breachd|breachd|1|<event.action>|<event type>|<severity>|<extension>".
std::string ToCef(const nlohmann::json& document);

// "<PRI>1 <@timestamp> <hostname> breachd - <event.action> - <CEF line>": facility 13 (log
// audit), the syslog severity following the CEF severity.
std::string ToSyslog5424(const nlohmann::json& document, const std::string& hostname);

}  // namespace breachd::siem
