#include "libs/service/idempotency.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/idempotency.pb.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/event_hash.h"

namespace breachd::service {

std::string RequestFingerprint(const google::protobuf::Message& message) {
  const std::string bytes = eventstore::SerializeDeterministic(message);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

IdempotentRequest::IdempotentRequest(std::string row_key, std::string request_id,
                                     const google::protobuf::Message& request,
                                     std::string subject)
    : row_key_(std::move(row_key)),
      request_id_(std::move(request_id)),
      fingerprint_(RequestFingerprint(request)),
      subject_(std::move(subject)) {}

absl::StatusOr<std::optional<std::string>> IdempotentRequest::EarlierResult(
    eventstore::EventStore& store) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store.GetProjection(row_key_));
  if (!bytes.has_value()) return std::nullopt;
  breach::v1::IdempotencyRecord earlier;
  if (!earlier.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("stored request ", row_key_, " is unreadable"));
  }
  if (earlier.fingerprint() != fingerprint_ || earlier.subject() != subject_) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id ", request_id_, " was already used for a different request"));
  }
  return earlier.result();
}

eventstore::ProjectionWrite IdempotentRequest::Remember(const std::string& result) const {
  breach::v1::IdempotencyRecord record;
  record.set_fingerprint(fingerprint_);
  record.set_subject(subject_);
  record.set_result(result);
  return {row_key_, record.SerializeAsString()};
}

}  // namespace breachd::service
