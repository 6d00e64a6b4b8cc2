{
  # One Linux-only addon: recvmmsg, SO_RXQ_OVFL and eventfd are Linux APIs. Elsewhere Contrail
  # uses Node's dgram (scripts/build-native.mjs skips the build).
  "variables": {
    "contrail_asan%": 0
  },
  "targets": [
    {
      "target_name": "contrail_udp",
      "sources": ["src/addon.cc", "src/reader.cc", "src/udp_socket.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"],
      "conditions": [
        ["contrail_asan==1", {
          "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-O1", "-g"],
          "ldflags": ["-fsanitize=address"]
        }]
      ]
    }
  ]
}
