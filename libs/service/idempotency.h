// Idempotent creates after Google AIP-155: the client names each request with a request_id; a
// retry (same body, same principal) gets the first result back and changes nothing, while the
// same id with another body or from another principal is refused with ALREADY_EXISTS, so a reused
// id can never silently swallow a different request.
//
// Usage, under a lock on row_key() so two racing retries file once:
//   IdempotentRequest idem(key, request.request_id(), request, principal.subject);
//   ASSIGN_OR_RETURN(std::optional<std::string> earlier, idem.EarlierResult(store));
//   if (earlier) return <what *earlier names>;
//   ... append the effect with idem.Remember(result) among its projection rows ...
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "libs/eventstore/event_store.h"

namespace breachd::service {

// Lowercase hex SHA-256 of `message`'s deterministic serialization.
std::string RequestFingerprint(const google::protobuf::Message& message);

class IdempotentRequest {
 public:
  // `row_key`: the projection row that remembers this request id (scoped as the caller needs,
  // e.g. per tenant). `request`: the whole request as received.
  IdempotentRequest(std::string row_key, std::string request_id,
                    const google::protobuf::Message& request, std::string subject);

  // nullopt for a new request id; the first result for a faithful retry; ALREADY_EXISTS when
  // the id was used for a different request or by another principal.
  absl::StatusOr<std::optional<std::string>> EarlierResult(eventstore::EventStore& store) const;

  // The row to append atomically with the effect of the first request.
  eventstore::ProjectionWrite Remember(const std::string& result) const;

  const std::string& row_key() const { return row_key_; }

 private:
  std::string row_key_;
  std::string request_id_;
  std::string fingerprint_;
  std::string subject_;
};

}  // namespace breachd::service
