# One-call target declarations, in the spirit of absl_cc_library / absl_cc_test.
#
#   breachd_cc_library(NAME eventstore SRCS a.cc HDRS a.h DEPS proto_breach RocksDB::rocksdb-shared)
#   breachd_cc_test(NAME eventstore_test SRCS a_test.cc DEPS eventstore LABELS unit)
#   breachd_cc_binary(NAME breachd SRCS main.cc DEPS ...)
#   breachd_cc_benchmark(NAME eventstore_bench SRCS bench.cc DEPS eventstore)
#
# Every target sees the repository root and the generated proto folder on its include path,
# so includes read "libs/eventstore/event_store.h" and "breach/v1/envelope.pb.h".

# Adds each named subdirectory that has a CMakeLists.txt, so a module folder joins the build
# by existing.
function(breachd_add_present_subdirectories)
  foreach(dir ${ARGN})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
      add_subdirectory(${dir})
    endif()
  endforeach()
endfunction()

function(breachd_apply_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  if(BREACHD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(breachd_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;HDRS;DEPS" ${ARGN})
  if(ARG_SRCS)
    add_library(${ARG_NAME} STATIC ${ARG_SRCS} ${ARG_HDRS})
    target_include_directories(${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS})
    breachd_apply_warnings(${ARG_NAME})
  else()
    add_library(${ARG_NAME} INTERFACE)
    target_include_directories(${ARG_NAME} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${ARG_NAME} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

function(breachd_cc_binary)
  cmake_parse_arguments(ARG "" "NAME;OUTPUT_NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  if(ARG_OUTPUT_NAME)
    set_target_properties(${ARG_NAME} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME})
  endif()
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  breachd_apply_warnings(${ARG_NAME})
endfunction()

# LABELS: unit | integration | e2e. TIMEOUT in seconds (default 120). TOOLS: the programs the
# test runs (breachd, breachctl, devbus...), built before it when they are targets.
function(breachd_cc_test)
  if(NOT BREACHD_BUILD_TESTS)
    return()
  endif()
  # ONE_PROCESS: one ctest entry runs the whole binary, so that a suite fixture (e.g. one server
  # for every case, SetUpTestSuite) is paid for once instead of once per test.
  cmake_parse_arguments(ARG "ONE_PROCESS" "NAME;TIMEOUT" "SRCS;DEPS;LABELS;TOOLS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  foreach(tool ${ARG_TOOLS})
    if(TARGET ${tool})
      add_dependencies(${ARG_NAME} ${tool})
    endif()
  endforeach()
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${ARG_NAME} PRIVATE BREACHD_BIN_DIR="${PROJECT_BINARY_DIR}/bin"
                                                 BREACHD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  breachd_apply_warnings(${ARG_NAME})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  # Scratch folders go under build/test-scratch (libs/common/testing/scratch_dir.h), never
  # straight into the system temp folder.
  if(ARG_ONE_PROCESS)
    add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
    set_tests_properties(${ARG_NAME} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
                         ENVIRONMENT "TEST_TMPDIR=${PROJECT_BINARY_DIR}/test-scratch")
    return()
  endif()
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
               ENVIRONMENT "TEST_TMPDIR=${PROJECT_BINARY_DIR}/test-scratch")
endfunction()

function(breachd_cc_benchmark)
  if(NOT BREACHD_BUILD_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
  breachd_apply_warnings(${ARG_NAME})
endfunction()

# Generates C++ (and gRPC stubs) for the given .proto files into ${CMAKE_BINARY_DIR}/proto and
# declares a static library NAME that links protobuf and gRPC.
function(breachd_proto_library)
  cmake_parse_arguments(ARG "" "NAME" "PROTOS;DEPS" ${ARGN})
  set(out_dir ${PROJECT_BINARY_DIR}/proto)
  file(MAKE_DIRECTORY ${out_dir})
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    get_filename_component(abs ${proto} ABSOLUTE)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR}/proto ${abs})
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(gen ${out_dir}/${stem}.pb.cc ${out_dir}/${stem}.pb.h
            ${out_dir}/${stem}.grpc.pb.cc ${out_dir}/${stem}.grpc.pb.h)
    add_custom_command(
      OUTPUT ${gen}
      COMMAND protobuf::protoc
        --proto_path=${PROJECT_SOURCE_DIR}/proto
        --cpp_out=${out_dir}
        --grpc_out=${out_dir}
        --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
        ${abs}
      DEPENDS ${abs} protobuf::protoc gRPC::grpc_cpp_plugin
      COMMENT "protoc ${rel}")
    list(APPEND srcs ${gen})
  endforeach()
  add_library(${ARG_NAME} STATIC ${srcs})
  target_include_directories(${ARG_NAME} PUBLIC ${out_dir})
  target_link_libraries(${ARG_NAME} PUBLIC protobuf::libprotobuf gRPC::grpc++ ${ARG_DEPS})
endfunction()
