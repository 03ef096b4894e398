# SYNTAX = docker/dockerfile:1.7
#check=skip=JSONArgsRecommended
# escape=`
# A plain comment ends the directives:
# escape=\
FROM busybox
RUN echo one `
    two
