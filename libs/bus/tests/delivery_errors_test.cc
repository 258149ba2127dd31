#include "libs/bus/delivery_errors.h"

#include "gtest/gtest.h"

namespace breachd::bus {
namespace {

TEST(IsPermanentMessageErrorTest, RefusalsOfTheMessageItselfArePermanent) {
  for (rd_kafka_resp_err_t err :
       {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG,
        RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_RECORD,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED}) {
    EXPECT_TRUE(IsPermanentMessageError(err)) << rd_kafka_err2name(err);
  }
}

TEST(IsPermanentMessageErrorTest, TroubleWithTheBusIsRetried) {
  for (rd_kafka_resp_err_t err :
       {RD_KAFKA_RESP_ERR_NO_ERROR, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR__QUEUE_FULL,
        RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__FATAL,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN}) {
    EXPECT_FALSE(IsPermanentMessageError(err)) << rd_kafka_err2name(err);
  }
}

}  // namespace
}  // namespace breachd::bus
