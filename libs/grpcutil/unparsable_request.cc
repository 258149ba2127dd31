#include "libs/grpcutil/unparsable_request.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace breachd::grpcutil {
namespace {

using grpc::experimental::InterceptionHookPoints;

class UnparsableRequestInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit UnparsableRequestInterceptor(const char* method) : method_(method) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    // A unary sync handler gets no message exactly when its request failed to parse (streams
    // always pass their own message object, so they are never rewritten).
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsable_ = true;
    }
    if (unparsable_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        methods->GetSendStatus().error_code() == grpc::StatusCode::INTERNAL) {
      methods->ModifySendStatus(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("the request is not a valid message for ", method_,
                       " (a string field that is not UTF-8, or bytes that are not protobuf)")));
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  bool unparsable_ = false;
};

}  // namespace

grpc::experimental::Interceptor* UnparsableRequestInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new UnparsableRequestInterceptor(info->method());
}

}  // namespace breachd::grpcutil
