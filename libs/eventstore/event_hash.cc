#include "libs/eventstore/event_hash.h"

#include <openssl/evp.h>

#include <memory>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/eventstore/event_store.h"

namespace breachd::eventstore {
namespace {
constexpr size_t kSha256Size = 32;
}  // namespace

std::string SerializeDeterministic(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }  // the coded stream flushes into `bytes` when it goes out of scope
  return bytes;
}

const std::string& GenesisHash() {
  static const std::string* const genesis = new std::string(kSha256Size, '\0');
  return *genesis;
}

std::string ComputeEventHash(const EventEnvelope& event) {
  EventEnvelope canonical = event;
  canonical.clear_hash();
  const std::string bytes = SerializeDeterministic(canonical);

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string digest(kSha256Size, '\0');
  unsigned int length = 0;
  // These only fail on allocation failure, which would already have aborted elsewhere.
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), event.prev_hash().data(), event.prev_hash().size());
  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(digest.data()), &length);
  return digest;
}

}  // namespace breachd::eventstore
