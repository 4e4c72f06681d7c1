# ide_add_module(): the one way a module is built, so the architecture rule (SPEC section 2) is
# enforced by the build rather than by review.
#
#   ide_add_module(NAME submission
#     SOURCES impl/a.cpp wiring/submission/module.cpp
#     USES_APIS result            # other modules whose public interface this one calls
#     PRIVATE_LIBS seccomp)       # third-party libraries only this module's internals see
#
# Creates:
#   ide_<name>_api  INTERFACE: api/ (plain data + abstract service). Depends on core only.
#   ide_<name>      STATIC:    impl/ (PRIVATE include dir) + wiring/ (factories used by main only).
# Consumers other than the executable may link ide_<name>_api only. ide_<name>'s dependencies are
# PRIVATE, so linking it never leaks another module's internals into the consumer.
function(ide_add_module)
  cmake_parse_arguments(MOD "" "NAME" "SOURCES;USES_APIS;PRIVATE_LIBS;PRIVATE_TARGETS" ${ARGN})
  set(api ide_${MOD_NAME}_api)
  add_library(${api} INTERFACE)
  target_include_directories(${api} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/api)
  target_link_libraries(${api} INTERFACE ide_core)

  add_library(ide_${MOD_NAME} STATIC ${MOD_SOURCES})
  target_include_directories(ide_${MOD_NAME}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/wiring
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/impl)
  target_link_libraries(ide_${MOD_NAME} PUBLIC ${api} PRIVATE ide_core ${MOD_PRIVATE_LIBS} ${MOD_PRIVATE_TARGETS})
  foreach(other IN LISTS MOD_USES_APIS)
    target_link_libraries(ide_${MOD_NAME} PUBLIC ide_${other}_api)
  endforeach()
  # The allowed dependencies, written down as data for tests/architecture.
  set_property(GLOBAL APPEND PROPERTY IDE_MODULES ${MOD_NAME})
  set_property(GLOBAL PROPERTY IDE_MODULE_${MOD_NAME}_USES ${MOD_USES_APIS})
endfunction()
