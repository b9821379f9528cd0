# The TCP lab (lab/, issue 14): the core library's sources, the lab's C layer and the ladder of
# tools/ladder.c compiled to WebAssembly with clang --target=wasm32-wasi against wasi-libc, then
# the module embedded (base64) in labwasm.js beside the page's static files in ${CMAKE_BINARY_DIR}/lab.
# The same sources, unchanged: the build differs, not the stack. `make lab` (or the `lab` target)
# builds it; it is not part of `all`, so a machine without the WebAssembly toolchain still builds
# everything else. lab_native is the same C layer built for this machine (the lab's test compares
# the two runs).

add_executable(lab_native ${CMAKE_SOURCE_DIR}/lab/labcore.c ${CMAKE_SOURCE_DIR}/lab/presets.c
               ${CMAKE_SOURCE_DIR}/lab/labnative.c ${CMAKE_SOURCE_DIR}/tools/ladder.c)
target_link_libraries(lab_native PRIVATE synack)

find_program(SYNACK_WASM_CC NAMES clang-14 clang)
set(SYNACK_WASI_SYSROOT /usr CACHE PATH "where wasi-libc's include/wasm32-wasi and lib/wasm32-wasi are")
set(lab_out ${CMAKE_BINARY_DIR}/lab)
set(lab_static ${CMAKE_SOURCE_DIR}/lab/index.html ${CMAKE_SOURCE_DIR}/lab/lab.js ${CMAKE_SOURCE_DIR}/lab/lab.css
               ${CMAKE_SOURCE_DIR}/lab/presets.js)
if(SYNACK_WASM_CC AND EXISTS ${SYNACK_WASI_SYSROOT}/lib/wasm32-wasi/libc.a)
  set(lab_c ${SYNACK_CORE_SRC} ${CMAKE_SOURCE_DIR}/lab/labcore.c ${CMAKE_SOURCE_DIR}/lab/presets.c
            ${CMAKE_SOURCE_DIR}/lab/labwasm.c ${CMAKE_SOURCE_DIR}/tools/ladder.c)
  # One object per source, so ninja compiles them in parallel and again only what changed (with
  # the headers each one read, from its depfile); then one link.
  set(lab_objs)
  foreach(src ${lab_c})
    file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${src})
    string(REPLACE "/" "_" obj ${rel})
    set(obj ${lab_out}/obj/${obj}.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${SYNACK_WASM_CC} --target=wasm32-wasi --sysroot=${SYNACK_WASI_SYSROOT}
              -std=gnu11 -O2 -fvisibility=hidden -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
              -Wmissing-prototypes -Wno-unused-parameter -DSYNACK_BUILDING=1
              -I${CMAKE_SOURCE_DIR}/include -I${CMAKE_SOURCE_DIR}/src -MD -MF ${obj}.d -c ${src} -o ${obj}
      DEPENDS ${src}
      DEPFILE ${obj}.d
      COMMENT "WebAssembly: ${rel}"
      VERBATIM)
    list(APPEND lab_objs ${obj})
  endforeach()
  add_custom_command(
    OUTPUT ${lab_out}/lab.wasm
    COMMAND ${SYNACK_WASM_CC} --target=wasm32-wasi --sysroot=${SYNACK_WASI_SYSROOT} -mexec-model=reactor
            -Wl,--strip-all -Wl,--gc-sections ${lab_objs} -o ${lab_out}/lab.wasm
    DEPENDS ${lab_objs}
    COMMENT "Linking the stack and the lab to WebAssembly"
    VERBATIM)
  # The module travels inside a script, so the page also works opened as a file (file:// cannot
  # fetch a .wasm).
  add_custom_command(
    OUTPUT ${lab_out}/labwasm.js
    COMMAND sh -c "{ printf 'const LAB_WASM = \"'; base64 -w0 lab.wasm; printf '\";\\n'; } > labwasm.js"
    WORKING_DIRECTORY ${lab_out}
    DEPENDS ${lab_out}/lab.wasm
    VERBATIM)
  set(lab_copied)
  foreach(f ${lab_static})
    get_filename_component(name ${f} NAME)
    add_custom_command(OUTPUT ${lab_out}/${name}
                       COMMAND ${CMAKE_COMMAND} -E copy ${f} ${lab_out}/${name}
                       DEPENDS ${f} VERBATIM)
    list(APPEND lab_copied ${lab_out}/${name})
  endforeach()
  add_custom_target(lab DEPENDS ${lab_out}/labwasm.js ${lab_copied} lab_native)
else()
  add_custom_target(lab
    COMMAND ${CMAKE_COMMAND} -E echo "make lab: no clang with wasi-libc: run scripts/install-deps.sh lab"
    COMMAND false)
endif()

# Its tests. sim/lab_native_presets: every preset runs natively, twice to the same transcript (fast;
# under the sanitizers too). lab/browser (label `lab`): the page in headless Chromium for every
# preset, against lab_native (tests/lab/test_lab.py; it builds the `lab` target first). The page is
# the same in a sanitizer build, so it runs in the plain build only.
add_test(NAME sim/lab_native_presets
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/lab/native_presets.sh $<TARGET_FILE:lab_native>
                 $<TARGET_FILE:synack-cli>)
set_tests_properties(sim/lab_native_presets PROPERTIES LABELS sim TIMEOUT 400)
if(NOT SYNACK_SANITIZE AND NOT SYNACK_FUZZ)
  add_test(NAME lab/browser COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/lab/test_lab.py ${CMAKE_BINARY_DIR})
  set_tests_properties(lab/browser PROPERTIES LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
