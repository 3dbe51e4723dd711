from django.http import HttpResponse


def schedule_list(request, event):
    return HttpResponse("todo")


schedule_grid = session_detail = speaker_list = speaker_detail = schedule_list
