# SPDX-License-Identifier: MIT
# bash completion for grantsim(1): commands, options, the values of options
# that take one of a few words (--format, --profile), and files.
#
# Everything comes from grantsim's own usage text (the command table and
# each command's usage function), so this file does not list a command or an
# option: `grantsim --help` gives the commands, `grantsim help CMD` the
# options (the lines of its option list) and their values (the synopsis's
# --opt=a|b|c).

# The help text of command $2 of binary $1 (cached for the line being completed).
_grantsim_help()
{
    if [[ $_grantsim_help_key != "$1 $2" ]]; then
        _grantsim_help_key="$1 $2"
        if [[ -n $2 ]]; then
            _grantsim_help_text=$("$1" help "$2" 2>/dev/null)
        else
            _grantsim_help_text=$("$1" --help 2>/dev/null)
        fi
    fi
    printf '%s\n' "$_grantsim_help_text"
}

_grantsim()
{
    local g=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=""
    local cmd="" i help opt values
    local IFS=$'\n'

    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    # The command: the first word after the binary that is not an option.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -* | =) ;;
        *)
            cmd=${COMP_WORDS[i]}
            break
            ;;
        esac
    done
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W $'-h\n--help\n-V\n--version' -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(_grantsim_help "$g" "" |
                sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')" -- "$cur"))
        fi
        return 0
    fi
    help=$(_grantsim_help "$g" "$cmd")
    if [[ $cmd == help && $cur != -* ]]; then
        COMPREPLY=($(compgen -W "$(_grantsim_help "$g" "" |
            sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')" -- "$cur"))
        return 0
    fi
    # "--opt=value": bash splits it at "=" (COMP_WORDBREAKS) into --opt, =, value.
    opt=""
    if [[ $cur == = && $prev == --* ]]; then
        opt=$prev
        cur=""
    elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
        opt=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $prev == -* && $cur != -* ]]; then
        opt=$prev
        if [[ $prev != --* ]]; then
            # A short option: its long name from the option list ("  -o, --output=FILE").
            opt=$(printf '%s\n' "$help" | sed -n "s/^ *$prev, \(--[a-z][a-z0-9-]*\)=.*/\1/p" |
                head -n 1)
        fi
        # Only an option that takes a value ("--opt=" somewhere in the usage).
        if [[ -z $opt ]] || ! printf '%s\n' "$help" | grep -q -e "$opt="; then
            opt=""
        fi
    fi
    if [[ -n $opt ]]; then
        # The option's value: the words of its synopsis (--format=text|json|svg),
        # else by its placeholder: a directory, a file, or nothing to offer.
        values=$(printf '%s\n' "$help" | grep -o -e "$opt=[a-z0-9.][a-z0-9.|-]*" | head -n 1)
        values=${values#*=}
        if [[ -n $values && $values == *"|"* ]]; then
            COMPREPLY=($(compgen -W "${values//|/$'\n'}" -- "$cur"))
        elif printf '%s\n' "$help" | grep -q -e "$opt=DIR"; then
            COMPREPLY=($(compgen -d -- "$cur"))
        elif printf '%s\n' "$help" | grep -q -e "$opt=\(FILE\|ELF\)"; then
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return 0
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(printf '%s\n' "$help" |
            sed -n 's/^ \{1,10\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' |
            sort -u)" -- "$cur"))
        return 0
    fi
    # Operands: files and directories (scenarios, apps, fuzz inputs).
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
}
complete -o filenames -o bashdefault -F _grantsim grantsim
