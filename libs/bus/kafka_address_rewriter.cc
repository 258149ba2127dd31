#include "libs/bus/kafka_address_rewriter.h"

#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace breachd::bus {
namespace {

// librdkafka's receive.message.max.bytes default: anything larger is not Kafka.
constexpr int32_t kMaxFrameSize = 100'000'000;

int32_t BigEndian32(std::string_view bytes) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  return static_cast<int32_t>((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
                              (uint32_t{b[2]} << 8) | uint32_t{b[3]});
}

int16_t BigEndian16(std::string_view bytes) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  return static_cast<int16_t>((b[0] << 8) | b[1]);
}

void AppendBigEndian32(int32_t value, std::string* out) {
  const auto v = static_cast<uint32_t>(value);
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

// Walks a response body field by field and copies it, replacing broker addresses on the way.
class BodyRewriter {
 public:
  BodyRewriter(std::string_view body, const AdvertisedAddresses& addresses)
      : body_(body), addresses_(addresses) {}

  absl::Status Skip(size_t size) {
    if (body_.size() - position_ < size) {
      return absl::InvalidArgumentError(absl::StrCat("response truncated at byte ", position_));
    }
    position_ += size;
    return absl::OkStatus();
  }
  absl::StatusOr<int32_t> ReadInt32() {
    RETURN_IF_ERROR(Skip(4));
    return BigEndian32(body_.substr(position_ - 4));
  }
  // A STRING or NULLABLE_STRING (length -1).
  absl::StatusOr<std::string_view> ReadString() {
    RETURN_IF_ERROR(Skip(2));
    const int16_t size = BigEndian16(body_.substr(position_ - 2));
    if (size < 0) return std::string_view();
    RETURN_IF_ERROR(Skip(static_cast<size_t>(size)));
    return body_.substr(position_ - static_cast<size_t>(size), static_cast<size_t>(size));
  }
  absl::Status SkipString() { return ReadString().status(); }

  // Reads a host STRING and a port INT32 and writes the advertised pair if there is one.
  absl::Status RewriteAddress() {
    const size_t start = position_;
    ASSIGN_OR_RETURN(const std::string_view host, ReadString());
    ASSIGN_OR_RETURN(const int32_t port, ReadInt32());
    const std::optional<HostPort> advertised = addresses_.Find({std::string(host), port});
    if (!advertised.has_value()) return absl::OkStatus();
    out_.append(body_.substr(copied_, start - copied_));
    out_.push_back(static_cast<char>(advertised->host.size() >> 8));
    out_.push_back(static_cast<char>(advertised->host.size()));
    out_.append(advertised->host);
    AppendBigEndian32(advertised->port, &out_);
    copied_ = position_;
    return absl::OkStatus();
  }

  std::string Finish() && {
    out_.append(body_.substr(copied_));
    return std::move(out_);
  }

 private:
  const std::string_view body_;
  const AdvertisedAddresses& addresses_;
  size_t position_ = 0;  // next byte to parse
  size_t copied_ = 0;    // body_[0, copied_) is in out_, rewritten
  std::string out_;
};

}  // namespace

void AdvertisedAddresses::Set(const HostPort& broker, const HostPort& advertised) {
  absl::MutexLock lock(&mu_);
  map_[{broker.host, broker.port}] = advertised;
}

std::optional<HostPort> AdvertisedAddresses::Find(const HostPort& broker) const {
  absl::MutexLock lock(&mu_);
  auto it = map_.find({broker.host, broker.port});
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::string> RewriteBrokerAddresses(int16_t api_key, int16_t api_version,
                                                   std::string_view body,
                                                   const AdvertisedAddresses& addresses) {
  if (api_version < 0 || api_version > 2) return std::string(body);
  BodyRewriter rewriter(body, addresses);
  if (api_key == kMetadataApiKey) {
    // Brokers come first: [node_id host port rack(v1+)]; topics and the rest are copied.
    ASSIGN_OR_RETURN(const int32_t brokers, rewriter.ReadInt32());
    for (int32_t i = 0; i < brokers; ++i) {
      RETURN_IF_ERROR(rewriter.Skip(4));  // node_id
      RETURN_IF_ERROR(rewriter.RewriteAddress());
      if (api_version >= 1) RETURN_IF_ERROR(rewriter.SkipString());  // rack
    }
  } else if (api_key == kFindCoordinatorApiKey) {
    if (api_version >= 1) RETURN_IF_ERROR(rewriter.Skip(4));       // throttle_time_ms
    RETURN_IF_ERROR(rewriter.Skip(2));                             // error_code
    if (api_version >= 1) RETURN_IF_ERROR(rewriter.SkipString());  // error_message
    RETURN_IF_ERROR(rewriter.Skip(4));                             // node_id
    RETURN_IF_ERROR(rewriter.RewriteAddress());
  } else {
    return std::string(body);
  }
  return std::move(rewriter).Finish();
}

absl::StatusOr<std::optional<std::string>> KafkaAddressRewriter::Frames::Next() {
  if (buffer_.size() < 4) return std::nullopt;
  const int32_t size = BigEndian32(buffer_);
  if (size < 0 || size > kMaxFrameSize) {
    return absl::InvalidArgumentError(absl::StrCat("not a Kafka frame: size ", size));
  }
  if (buffer_.size() - 4 < static_cast<size_t>(size)) return std::nullopt;
  std::string payload = buffer_.substr(4, static_cast<size_t>(size));
  buffer_.erase(0, 4 + static_cast<size_t>(size));
  return payload;
}

KafkaAddressRewriter::KafkaAddressRewriter(std::shared_ptr<const AdvertisedAddresses> addresses)
    : addresses_(std::move(addresses)) {}

absl::StatusOr<std::string> KafkaAddressRewriter::Frames::Filter(
    std::string_view bytes, const std::function<absl::StatusOr<std::string>(std::string)>& each) {
  buffer_.append(bytes);
  std::string out;
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<std::string> frame, Next());
    if (!frame.has_value()) return out;
    ASSIGN_OR_RETURN(const std::string payload, each(*std::move(frame)));
    AppendBigEndian32(static_cast<int32_t>(payload.size()), &out);
    out.append(payload);
  }
}

absl::StatusOr<std::string> KafkaAddressRewriter::FromClient(std::string_view bytes) {
  return from_client_.Filter(bytes, [this](std::string request) { return OnRequest(request); });
}

absl::StatusOr<std::string> KafkaAddressRewriter::FromTarget(std::string_view bytes) {
  return from_target_.Filter(bytes, [this](std::string response) { return OnResponse(response); });
}

absl::StatusOr<std::string> KafkaAddressRewriter::OnRequest(std::string request) {
  // Request header: api_key INT16, api_version INT16, correlation_id INT32, ...
  if (request.size() < 8) return absl::InvalidArgumentError("request header truncated");
  const int16_t api_key = BigEndian16(request);
  if (api_key == kMetadataApiKey || api_key == kFindCoordinatorApiKey) {
    absl::MutexLock lock(&mu_);
    pending_[BigEndian32(std::string_view(request).substr(4))] = {
        api_key, BigEndian16(std::string_view(request).substr(2))};
  }
  return request;
}

absl::StatusOr<std::string> KafkaAddressRewriter::OnResponse(std::string response) {
  // Response header: correlation_id INT32 (no tagged fields below the flexible versions).
  if (response.size() < 4) return absl::InvalidArgumentError("response header truncated");
  std::optional<Request> request;
  {
    absl::MutexLock lock(&mu_);
    if (auto it = pending_.find(BigEndian32(response)); it != pending_.end()) {
      request = it->second;
      pending_.erase(it);
    }
  }
  if (!request.has_value()) return response;
  ASSIGN_OR_RETURN(const std::string body,
                   RewriteBrokerAddresses(request->api_key, request->api_version,
                                          std::string_view(response).substr(4), *addresses_));
  return response.substr(0, 4) + body;
}

}  // namespace breachd::bus
