complete --keep-order --exclusive --command hfenv --arguments "(_HFENV_COMPLETE=fish hfenv -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
