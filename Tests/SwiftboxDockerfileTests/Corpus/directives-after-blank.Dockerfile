
# escape=`
# The blank line above ended the directives: the backtick is an ordinary character
# and the backslash still continues lines.
FROM busybox
RUN echo `hostname` \
    done
