
set edit:completion:arg-completer[hfenv] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) _HFENV_COMPLETE="elvish" hfenv -- $@words) | to-lines
}

