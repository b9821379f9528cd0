# The API reference: Doxygen over include/synack/*.h (docs/Doxyfile.in), HTML in build/docs/html.
# The configuration makes every warning an error, an undocumented public symbol included, so
# unit/apidoc (tests/check_apidoc.sh) fails when a new symbol comes without its documentation.
find_program(DOXYGEN_EXECUTABLE doxygen)
set(SYNACK_DOXYFILE ${CMAKE_BINARY_DIR}/docs/Doxyfile)
set(SYNACK_DOCS_OUT ${CMAKE_BINARY_DIR}/docs)
configure_file(${CMAKE_SOURCE_DIR}/docs/Doxyfile.in ${SYNACK_DOXYFILE} @ONLY)
add_custom_target(docs
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/check_apidoc.sh ${SYNACK_DOXYFILE} ${SYNACK_DOCS_OUT}
  COMMENT "API reference: ${SYNACK_DOCS_OUT}/html/index.html" VERBATIM)
